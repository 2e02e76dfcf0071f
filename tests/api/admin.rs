//! ADMIN configuration: activity types, operators and workflows; nobody else may change them.

use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, error_codes, on_both_databases, user_errors};

const SAVE_TYPE: &str = "mutation($input: SaveActivityTypeInput!) { saveActivityType(input: $input) { activityType { id code name active } userErrors { field code } } }";
const DELETE_TYPE: &str = "mutation($id: ID!) { deleteActivityType(input: {id: $id}) { activityType { code } userErrors { field code } } }";
const SAVE_OPERATOR: &str = "mutation($input: SaveOperatorInput!) { saveOperator(input: $input) { operator { id login role active displayName email timeZone } userErrors { field code } } }";
const SAVE_WORKFLOW: &str = "mutation($input: SaveWorkflowInput!) { saveWorkflow(input: $input) { workflow { id code isDefault
    stages { id code position isInitial isFinal activityRules { activityType { code } mandatory nextActivityType { code } } }
    transitions { from { code } to { code } allowedRoles name } } userErrors { field code message } } }";

fn first_error(payload: &Value) -> (String, String) {
    user_errors(payload).into_iter().next().unwrap_or_default()
}

async fn only_an_admin_changes_the_configuration(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    for login in ["maria", "alice"] {
        let token = server.login(login).await;
        let before = server.snapshot().await;
        let attempts = [
            (
                SAVE_TYPE,
                json!({ "input": { "code": "VISIT", "name": "Visit" } }),
                "saveActivityType",
            ),
            (
                DELETE_TYPE,
                json!({ "id": ids.kind("DEMO") }),
                "deleteActivityType",
            ),
            (
                SAVE_OPERATOR,
                json!({ "input": { "id": ids.operator("bob"), "active": false } }),
                "saveOperator",
            ),
            (
                SAVE_WORKFLOW,
                json!({ "input": { "code": "X", "name": "X", "stages": [{ "code": "A", "name": "A" }] } }),
                "saveWorkflow",
            ),
        ];
        for (mutation, variables, field) in attempts {
            let payload = server.data(&token, mutation, variables).await[field].clone();
            assert_eq!(first_error(&payload).0, "FORBIDDEN", "{login} {field}");
        }
        assert_eq!(server.snapshot().await, before, "{login}: nothing written");
    }
    let anonymous = server
        .post(
            None,
            SAVE_TYPE,
            json!({ "input": { "code": "VISIT", "name": "Visit" } }),
        )
        .await;
    assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);
}

async fn activity_types_are_created_changed_and_deleted_only_when_unused(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let created = server
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "code": "VISIT", "name": "Site visit" } }),
        )
        .await["saveActivityType"]
        .clone();
    assert_eq!(created["userErrors"], json!([]));
    assert_eq!(created["activityType"]["active"], true);
    let duplicate = server
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "code": "CALL", "name": "Again" } }),
        )
        .await["saveActivityType"]
        .clone();
    assert_eq!(
        first_error(&duplicate),
        ("INVALID_INPUT".into(), "input.code".into())
    );
    let incomplete = server
        .data(&admin, SAVE_TYPE, json!({ "input": { "code": "NONAME" } }))
        .await["saveActivityType"]
        .clone();
    assert_eq!(
        first_error(&incomplete),
        ("INVALID_INPUT".into(), "input.name".into())
    );
    let renamed = server.data(&admin, SAVE_TYPE, json!({ "input": { "id": created["activityType"]["id"], "name": "Visit", "active": false } })).await["saveActivityType"].clone();
    assert_eq!(
        (
            renamed["activityType"]["name"].clone(),
            renamed["activityType"]["active"].clone(),
            renamed["activityType"]["code"].clone()
        ),
        (json!("Visit"), json!(false), json!("VISIT"))
    );
    let listed = server
        .data(
            &admin,
            "{ activityTypes { code } all: activityTypes(includeInactive: true) { code } }",
            json!({}),
        )
        .await;
    assert!(
        !listed["activityTypes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "VISIT"),
        "inactive types are not offered"
    );
    assert!(
        listed["all"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["code"] == "VISIT")
    );
    let before = server.snapshot().await;
    let in_use = server
        .data(&admin, DELETE_TYPE, json!({ "id": ids.kind("CALL") }))
        .await["deleteActivityType"]
        .clone();
    assert_eq!(
        first_error(&in_use),
        ("INVALID_INPUT".into(), "input.id".into())
    );
    assert_eq!(
        server.snapshot().await,
        before,
        "a type in use is not deleted"
    );
    let deleted = server
        .data(
            &admin,
            DELETE_TYPE,
            json!({ "id": created["activityType"]["id"] }),
        )
        .await["deleteActivityType"]
        .clone();
    assert_eq!(deleted["userErrors"], json!([]));
}

async fn operators_are_created_and_deactivated_and_lose_access(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let input = json!({ "login": "dora", "displayName": "Dora Russo", "role": "OPERATOR", "password": "s3cret-pass", "email": "dora@example.com", "timeZone": "Europe/Rome" });
    let created = server
        .data(&admin, SAVE_OPERATOR, json!({ "input": input }))
        .await["saveOperator"]
        .clone();
    assert_eq!(created["userErrors"], json!([]));
    let login = server
        .post(
            None,
            "mutation { login(input: {login: \"dora\", password: \"s3cret-pass\"}) { token } }",
            json!({}),
        )
        .await;
    let dora = login["data"]["login"]["token"].as_str().unwrap().to_owned();
    assert_eq!(
        server.data(&dora, "{ me { login role } }", json!({})).await["me"],
        json!({ "login": "dora", "role": "OPERATOR" })
    );
    let taken = server.data(&admin, SAVE_OPERATOR, json!({ "input": { "login": "alice", "displayName": "A", "role": "OPERATOR", "password": "long-enough" } })).await["saveOperator"].clone();
    assert_eq!(
        first_error(&taken),
        ("INVALID_INPUT".into(), "input.login".into())
    );
    let short = server.data(&admin, SAVE_OPERATOR, json!({ "input": { "login": "dino", "displayName": "D", "role": "OPERATOR", "password": "short" } })).await["saveOperator"].clone();
    assert_eq!(
        first_error(&short),
        ("INVALID_INPUT".into(), "input.password".into())
    );
    let off = server
        .data(
            &admin,
            SAVE_OPERATOR,
            json!({ "input": { "id": created["operator"]["id"], "active": false, "email": null } }),
        )
        .await["saveOperator"]
        .clone();
    assert_eq!(
        (
            off["operator"]["active"].clone(),
            off["operator"]["email"].clone()
        ),
        (json!(false), Value::Null)
    );
    assert_eq!(
        error_codes(
            &server
                .post(Some(&dora), "{ me { login } }", json!({}))
                .await
        ),
        vec!["UNAUTHENTICATED"],
        "a deactivated operator's token stops working"
    );
    let relogin = server.post(None, "mutation { login(input: {login: \"dora\", password: \"s3cret-pass\"}) { userErrors { code } } }", json!({})).await;
    assert_eq!(
        relogin["data"]["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    let before = server.snapshot().await;
    let last_admin = server
        .data(
            &admin,
            SAVE_OPERATOR,
            json!({ "input": { "id": ids.operator("admin"), "role": "MANAGER" } }),
        )
        .await["saveOperator"]
        .clone();
    assert_eq!(
        first_error(&last_admin).0,
        "INVALID_INPUT",
        "the last active ADMIN stays one"
    );
    assert_eq!(server.snapshot().await, before);
}

async fn workflows_are_saved_whole_and_keep_stages_in_use(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let definition = json!({ "code": "SUPPORT", "name": "Support tickets", "restrictActivityTypes": true, "stages": [
            { "code": "NEW", "name": "New", "activityRules": [{ "activityTypeId": ids.kind("CALL"), "mandatory": true, "nextActivityTypeId": ids.kind("EMAIL") }, { "activityTypeId": ids.kind("EMAIL") }] },
            { "code": "WORKING", "name": "Working", "activityRules": [{ "activityTypeId": ids.kind("EMAIL") }] },
            { "code": "DONE", "name": "Done", "isFinal": true } ],
        "transitions": [ { "fromStageCode": "NEW", "toStageCode": "WORKING" }, { "fromStageCode": "WORKING", "toStageCode": "DONE", "allowedRoles": ["MANAGER"] } ] });
    let saved = server
        .data(&admin, SAVE_WORKFLOW, json!({ "input": definition }))
        .await["saveWorkflow"]
        .clone();
    assert_eq!(saved["userErrors"], json!([]));
    let workflow = &saved["workflow"];
    assert_eq!(
        workflow["stages"][0]["isInitial"], true,
        "the first stage is initial by default"
    );
    assert_eq!(
        workflow["stages"][0]["activityRules"][0],
        json!({ "activityType": { "code": "CALL" }, "mandatory": true, "nextActivityType": { "code": "EMAIL" } })
    );
    assert_eq!(
        workflow["transitions"][1],
        json!({ "from": { "code": "WORKING" }, "to": { "code": "DONE" }, "allowedRoles": ["MANAGER"], "name": "Working → Done" })
    );
    let alice = server.login("alice").await;
    let create = "mutation($w: ID!) { saveContact(input: {name: \"Ticket\", workflowId: $w}) { contact { id stage { code } workflow { code } } userErrors { code } } }";
    let ticket = server
        .data(&alice, create, json!({ "w": workflow["id"] }))
        .await["saveContact"]
        .clone();
    assert_eq!(ticket["contact"]["stage"]["code"], "NEW");
    assert_eq!(ticket["contact"]["workflow"]["code"], "SUPPORT");
    let mut shrunk = definition_without(&saved, "DONE");
    shrunk["id"] = workflow["id"].clone();
    let replaced = server
        .data(&admin, SAVE_WORKFLOW, json!({ "input": shrunk }))
        .await["saveWorkflow"]
        .clone();
    assert_eq!(replaced["userErrors"], json!([]), "an unused stage may go");
    assert_eq!(
        replaced["workflow"]["stages"][0]["id"], workflow["stages"][0]["id"],
        "kept stages keep their ids"
    );
    let mut without_new = definition_without(&replaced, "NEW");
    without_new["id"] = workflow["id"].clone();
    let before = server.snapshot().await;
    let refused = server
        .data(&admin, SAVE_WORKFLOW, json!({ "input": without_new }))
        .await["saveWorkflow"]
        .clone();
    assert_eq!(
        first_error(&refused),
        ("INVALID_INPUT".into(), "input.stages".into()),
        "a stage in use stays"
    );
    let dangling = json!({ "code": "BROKEN", "name": "Broken", "stages": [{ "code": "A", "name": "A" }], "transitions": [{ "fromStageCode": "A", "toStageCode": "Z" }] });
    let broken = server
        .data(&admin, SAVE_WORKFLOW, json!({ "input": dangling }))
        .await["saveWorkflow"]
        .clone();
    assert_eq!(
        first_error(&broken),
        ("NOT_FOUND".into(), "input.transitions.0.toStageCode".into())
    );
    let taken = server.data(&admin, SAVE_WORKFLOW, json!({ "input": { "code": "CRM_CONTACTS", "name": "Again", "stages": [{ "code": "A", "name": "A" }] } })).await["saveWorkflow"].clone();
    assert_eq!(
        first_error(&taken),
        ("INVALID_INPUT".into(), "input.code".into())
    );
    assert_eq!(server.snapshot().await, before, "nothing written");
}

/// The saved workflow as an input again, without one stage and its transitions.
fn definition_without(payload: &Value, removed: &str) -> Value {
    let workflow = &payload["workflow"];
    let stages: Vec<Value> = workflow["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["code"] != removed)
        .map(|s| json!({ "id": s["id"], "code": s["code"], "name": s["code"] }))
        .collect();
    let transitions: Vec<Value> = workflow["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["from"]["code"] != removed && t["to"]["code"] != removed)
        .map(|t| json!({ "fromStageCode": t["from"]["code"], "toStageCode": t["to"]["code"] }))
        .collect();
    json!({ "code": workflow["code"], "name": "Support", "stages": stages, "transitions": transitions })
}

on_both_databases!(
    only_an_admin_changes_the_configuration,
    activity_types_are_created_changed_and_deleted_only_when_unused,
    operators_are_created_and_deactivated_and_lose_access,
    workflows_are_saved_whole_and_keep_stages_in_use,
);
