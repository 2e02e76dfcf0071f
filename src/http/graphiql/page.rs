//! The GraphiQL page: a small HTML shell that loads the bundle, with the configuration the
//! script reads (endpoint, demo hint, variables of the example tabs) as inline JSON.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use super::examples::ExplorerExample;
use crate::graphql::ids::{self, kind};

/// The `Content-Security-Policy` of the page: everything from this server, WebSockets to it;
/// inline styles only because the editor positions its widgets with them.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; worker-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'; object-src 'none'";

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The variables of the example tabs. Ids come from the configuration; the contact to move is
/// left for the user to paste from the save's answer, so the page shows no contact data.
pub fn examples(example: Option<&ExplorerExample>, now: DateTime<Utc>) -> Value {
    let id = |kind: &str, number: Option<i64>| number.map(|n| ids::encode(kind, n).0);
    let stage_ids: Vec<String> = example
        .map(|e| {
            e.stage_ids
                .iter()
                .map(|&n| ids::encode(kind::STAGE, n).0)
                .collect()
        })
        .unwrap_or_default();
    let due = now + Duration::days(2);
    json!({
        "contactsByStage": { "stageIds": stage_ids, "first": 10 },
        "saveContact": { "input": {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "activity": {
                "activityTypeId": id(kind::ACTIVITY_TYPE, example.and_then(|e| e.activity_type_id)),
                "description": "First call: interested in a demo",
            },
            "pendingActivity": {
                "activityTypeId": id(kind::ACTIVITY_TYPE, example.and_then(|e| e.pending_type_id)),
                "description": "Send the product sheet",
                "dueAt": timestamp(due),
                "reminderStartsAt": timestamp(now + Duration::minutes(1)),
                "reminderEndsAt": timestamp(due),
                "createTodo": true,
            },
        }},
        "moveStage": { "input": {
            "contactId": "paste contact.id from SaveContactWithPending",
            "toStageId": id(kind::STAGE, example.and_then(|e| e.move_to_stage_id)),
            "expectedVersion": 1,
        }},
        "pipelineReport": {
            "workflowId": id(kind::WORKFLOW, example.map(|e| e.workflow_id)),
            "from": timestamp(now - Duration::days(30)),
            "to": timestamp(now),
        },
        "moveContacts": { "input": {
            "contactIds": ["paste ids from ContactsByStage"],
            "toStageId": id(kind::STAGE, example.and_then(|e| e.move_to_stage_id)),
            "allOrNone": false,
        }},
    })
}

/// The page's HTML. `assets` is the bundle's path relative to `/graphiql`.
pub fn render(assets: &str, config: &Value) -> String {
    // `</` cannot end the inline JSON early once escaped; JSON reads `<\/` as `</`.
    let config = config.to_string().replace("</", "<\\/");
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>contactflow · GraphiQL</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='7' fill='%23e10098'/%3E%3C/svg%3E">
<link rel="stylesheet" href="{assets}/graphiql.css">
<script type="module" src="{assets}/graphiql.js"></script>
</head>
<body>
<div id="graphiql"><noscript>GraphiQL needs JavaScript.</noscript></div>
<script type="application/json" id="contactflow-config">{config}</script>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_carry_global_ids_and_a_reminder_a_minute_ahead() {
        let now = DateTime::parse_from_rfc3339("2026-11-28T09:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let example = ExplorerExample {
            workflow_id: 4,
            stage_ids: vec![10, 11],
            move_to_stage_id: Some(11),
            activity_type_id: Some(1),
            pending_type_id: Some(3),
        };
        let value = examples(Some(&example), now);
        assert_eq!(
            value["contactsByStage"]["stageIds"][1],
            ids::encode(kind::STAGE, 11).0
        );
        let pending = &value["saveContact"]["input"]["pendingActivity"];
        assert_eq!(
            pending["activityTypeId"],
            ids::encode(kind::ACTIVITY_TYPE, 3).0
        );
        assert_eq!(pending["reminderStartsAt"], "2026-11-28T09:31:00.000Z");
        assert_eq!(pending["dueAt"], "2026-11-30T09:30:00.000Z");
        assert_eq!(
            value["moveStage"]["input"]["toStageId"],
            ids::encode(kind::STAGE, 11).0
        );
        let report = &value["pipelineReport"];
        assert_eq!(report["workflowId"], ids::encode(kind::WORKFLOW, 4).0);
        assert_eq!(report["from"], "2026-10-29T09:30:00.000Z");
        assert_eq!(report["to"], "2026-11-28T09:30:00.000Z");
        assert_eq!(
            value["moveContacts"]["input"]["toStageId"],
            ids::encode(kind::STAGE, 11).0
        );
        assert_eq!(
            examples(None, now)["contactsByStage"]["stageIds"],
            json!([])
        );
    }

    #[test]
    fn inline_configuration_cannot_close_its_script_element() {
        let html = render(
            "graphiql/assets/v",
            &json!({ "x": "</script><script>alert(1)" }),
        );
        assert!(!html.contains("</script><script>alert"));
        assert!(html.contains(r#"<\/script>"#));
        assert!(html.contains(r#"src="graphiql/assets/v/graphiql.js""#));
    }
}
