//! Reading the configuration: operators, workflows with stages, rules and transitions, and the
//! stage-aware activity type lookup.

use serde_json::{Value, json};

use crate::support::{TestServer, on_both_databases};

const WORKFLOW_QUERY: &str = "{ workflows { id code name logTabVisible restrictActivityTypes isDefault
    stages { id code position isInitial isFinal color workflow { code }
             activityRules { activityType { code } nextActivityType { code } mandatory createTodoForNext highlighted } }
    transitions { id name from { code } to { code } allowedRoles } } }";

fn codes(list: &Value, pick: impl Fn(&Value) -> &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| pick(item).as_str().unwrap().to_owned())
        .collect()
}

async fn operators_are_the_four_demo_operators(server: &TestServer) {
    let token = server.login("bob").await;
    let data = server
        .data(&token, "{ operators { login role active } }", json!({}))
        .await;
    let mut found: Vec<(String, String)> = data["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["login"].as_str().unwrap().to_owned(),
                o["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("admin", "ADMIN"),
        ("alice", "OPERATOR"),
        ("bob", "OPERATOR"),
        ("maria", "MANAGER"),
    ];
    assert_eq!(
        found,
        expected.map(|(l, r)| (l.to_owned(), r.to_owned())).to_vec()
    );
}

async fn the_demo_workflow_has_its_stages_in_position_order(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server.data(&token, WORKFLOW_QUERY, json!({})).await;
    let workflow = &data["workflows"][0];
    assert_eq!(workflow["code"], "CRM_CONTACTS");
    assert_eq!(
        (
            workflow["isDefault"].clone(),
            workflow["logTabVisible"].clone(),
            workflow["restrictActivityTypes"].clone()
        ),
        (json!(true), json!(true), json!(true))
    );
    let stages = codes(&workflow["stages"], |s| &s["code"]);
    assert_eq!(
        stages,
        [
            "START",
            "QUALIFICATION",
            "PROSPECT",
            "LEAD",
            "OPPORTUNITY",
            "NOT_QUALIFIED",
            "CUSTOMER",
            "CLOSED"
        ]
    );
    let initial: Vec<_> = workflow["stages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["isInitial"] == true)
        .collect();
    assert_eq!(initial.len(), 1);
    assert_eq!(initial[0]["code"], "START");
    let last = workflow["stages"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["code"].clone(), last["isFinal"].clone()),
        (json!("CLOSED"), json!(true))
    );
}

async fn transitions_pair_up_and_only_managers_make_customers(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server.data(&token, WORKFLOW_QUERY, json!({})).await;
    let transitions = data["workflows"][0]["transitions"]
        .as_array()
        .unwrap()
        .clone();
    let pairs: Vec<(String, String, Value)> = transitions
        .iter()
        .map(|t| {
            (
                t["from"]["code"].as_str().unwrap().to_owned(),
                t["to"]["code"].as_str().unwrap().to_owned(),
                t["allowedRoles"].clone(),
            )
        })
        .collect();
    let has = |a: &str, b: &str| pairs.iter().any(|(f, t, _)| f == a && t == b);
    let chain = [
        "START",
        "QUALIFICATION",
        "PROSPECT",
        "LEAD",
        "OPPORTUNITY",
        "CUSTOMER",
    ];
    for step in chain.windows(2) {
        assert!(
            has(step[0], step[1]) && has(step[1], step[0]),
            "{step:?} and its backward twin"
        );
    }
    assert!(has("QUALIFICATION", "NOT_QUALIFIED") && has("NOT_QUALIFIED", "QUALIFICATION"));
    for stage in [
        "START",
        "QUALIFICATION",
        "PROSPECT",
        "LEAD",
        "OPPORTUNITY",
        "NOT_QUALIFIED",
        "CUSTOMER",
    ] {
        assert!(has(stage, "CLOSED"), "{stage} → CLOSED");
    }
    assert!(
        !pairs.iter().any(|(f, _, _)| f == "CLOSED"),
        "CLOSED leads nowhere"
    );
    assert_eq!(pairs.len(), 19);
    for (from, to, roles) in &pairs {
        let expected = if from == "OPPORTUNITY" && to == "CUSTOMER" {
            json!(["MANAGER"])
        } else {
            json!([])
        };
        assert_eq!(roles, &expected, "{from} → {to}");
    }
}

async fn stage_rules_list_the_demo_types_with_one_mandatory_rule(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server.data(&token, WORKFLOW_QUERY, json!({})).await;
    let mut mandatory = Vec::new();
    for stage in data["workflows"][0]["stages"].as_array().unwrap() {
        let code = stage["code"].as_str().unwrap();
        let listed = codes(&stage["activityRules"], |r| &r["activityType"]["code"]);
        assert_eq!(&listed[..3], ["CALL", "EMAIL", "FOLLOW_UP"], "{code}");
        let own: &[&str] = match code {
            "START" | "QUALIFICATION" => &["DISCOVERY_CALL"],
            "PROSPECT" | "LEAD" => &["MEETING", "DEMO"],
            "OPPORTUNITY" => &["MEETING", "DEMO", "QUOTE"],
            "CUSTOMER" => &["QUOTE"],
            _ => &[],
        };
        assert_eq!(&listed[3..], own, "{code}");
        for rule in stage["activityRules"].as_array().unwrap() {
            if rule["mandatory"] == true {
                mandatory.push(format!(
                    "{code}:{}",
                    rule["activityType"]["code"].as_str().unwrap()
                ));
            }
        }
    }
    assert_eq!(mandatory, ["QUALIFICATION:DISCOVERY_CALL"]);
}

async fn activity_types_follow_the_stage_rules(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server.data(&token, WORKFLOW_QUERY, json!({})).await;
    let query = "query($s: ID) { activityTypes(stageId: $s) { code active } }";
    for stage in data["workflows"][0]["stages"].as_array().unwrap() {
        let offered = server
            .data(&token, query, json!({ "s": stage["id"] }))
            .await;
        let expected = codes(&stage["activityRules"], |r| &r["activityType"]["code"]);
        assert_eq!(
            codes(&offered["activityTypes"], |t| &t["code"]),
            expected,
            "{}",
            stage["code"]
        );
    }
    let every = server
        .data(&token, "{ activityTypes { code } }", json!({}))
        .await;
    assert_eq!(
        codes(&every["activityTypes"], |t| &t["code"]),
        [
            "CALL",
            "DISCOVERY_CALL",
            "EMAIL",
            "MEETING",
            "DEMO",
            "QUOTE",
            "FOLLOW_UP"
        ]
    );
    let unknown = server.data(&token, query, json!({ "s": "bm9wZToy" })).await;
    assert_eq!(unknown["activityTypes"], json!([]));
}

async fn configuration_nodes_resolve_by_their_ids(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server.data(&token, WORKFLOW_QUERY, json!({})).await;
    let workflow = &data["workflows"][0];
    let stage = &workflow["stages"][1];
    let transition = &workflow["transitions"][0];
    let me = server
        .data(&token, "{ me { id } activityTypes { id } }", json!({}))
        .await;
    let ids = json!([
        workflow["id"],
        stage["id"],
        transition["id"],
        me["me"]["id"],
        me["activityTypes"][0]["id"]
    ]);
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }";
    let found = server.data(&token, query, json!({ "ids": ids })).await;
    let typenames: Vec<_> = found["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["__typename"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        typenames,
        [
            "Workflow",
            "Stage",
            "Transition",
            "Operator",
            "ActivityType"
        ]
    );
    for (node, id) in found["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .zip(ids.as_array().unwrap())
    {
        assert_eq!(&node["id"], id);
    }
}

on_both_databases!(
    operators_are_the_four_demo_operators,
    the_demo_workflow_has_its_stages_in_position_order,
    transitions_pair_up_and_only_managers_make_customers,
    stage_rules_list_the_demo_types_with_one_mandatory_rule,
    activity_types_follow_the_stage_rules,
    configuration_nodes_resolve_by_their_ids,
);
