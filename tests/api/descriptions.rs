//! The schema explains itself: every type, field, argument, enum value and input field a client
//! can introspect has a description (API.md), so GraphiQL's docs and generated clients carry
//! them.

use serde_json::{Value, json};

use crate::support::{Backend, TestServer};

const INTROSPECTION: &str = r#"{ __schema { types {
    kind name description
    fields(includeDeprecated: true) { name description args { name description } }
    inputFields { name description }
    enumValues(includeDeprecated: true) { name description } } } }"#;

fn described(item: &Value) -> bool {
    item["description"]
        .as_str()
        .is_some_and(|text| !text.trim().is_empty())
}

fn undescribed(types: &[Value]) -> Vec<String> {
    let mut missing = Vec::new();
    let list = |value: &Value| value.as_array().cloned().unwrap_or_default();
    for kind in types {
        let name = kind["name"].as_str().unwrap_or_default();
        // Introspection's own types, and `ID`: the GraphQL specification's scalar, which the
        // library declares without a description (String, Int, Float and Boolean carry theirs).
        if name.starts_with("__") || name == "ID" {
            continue;
        }
        if !described(kind) {
            missing.push(format!("type {name}"));
        }
        for field in list(&kind["fields"]) {
            let field_name = field["name"].as_str().unwrap_or_default();
            if !described(&field) {
                missing.push(format!("field {name}.{field_name}"));
            }
            for argument in list(&field["args"]) {
                if !described(&argument) {
                    missing.push(format!(
                        "argument {name}.{field_name}({})",
                        argument["name"]
                    ));
                }
            }
        }
        for input in list(&kind["inputFields"]) {
            if !described(&input) {
                missing.push(format!("input field {name}.{}", input["name"]));
            }
        }
        for value in list(&kind["enumValues"]) {
            if !described(&value) {
                missing.push(format!("enum value {name}.{}", value["name"]));
            }
        }
    }
    missing
}

#[tokio::test]
async fn every_type_field_argument_enum_value_and_input_field_has_a_description() {
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let answer = server.post(None, INTROSPECTION, json!({})).await;
    let types = answer["data"]["__schema"]["types"]
        .as_array()
        .expect("introspection answers")
        .clone();
    assert!(types.len() > 40, "{} types", types.len());
    let missing = undescribed(&types);
    assert!(
        missing.is_empty(),
        "{} without a description:\n{}",
        missing.len(),
        missing.join("\n")
    );
    server.finish().await;
}

#[test]
fn the_walk_finds_what_lacks_a_description() {
    let types = vec![json!({
        "kind": "OBJECT", "name": "Thing", "description": null,
        "fields": [{ "name": "size", "description": "How big.", "args": [{ "name": "unit", "description": "" }] }],
        "inputFields": null,
        "enumValues": null
    })];
    assert_eq!(
        undescribed(&types),
        ["type Thing", "argument Thing.size(\"unit\")"]
    );
}
