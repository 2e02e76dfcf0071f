//! Keyset paging of contacts, forward and back, in every order, without gaps or duplicates.

use serde_json::{Value, json};

use crate::support::{TestServer, error_codes, nodes, on_both_databases};

const PAGE: &str =
    "query($first: Int, $after: String, $last: Int, $before: String, $order: ContactOrder) {
    contacts(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
        totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id name createdAt updatedAt stageEnteredAt } } } }";

const ORDERS: [(&str, &str); 4] = [
    ("NAME", "name"),
    ("CREATED_AT", "createdAt"),
    ("UPDATED_AT", "updatedAt"),
    ("STAGE_ENTERED_AT", "stageEnteredAt"),
];

async fn walk_forward(server: &TestServer, token: &str, order: &Value, size: i64) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut after = Value::Null;
    for page_number in 0..50 {
        let data = server
            .data(
                token,
                PAGE,
                json!({ "first": size, "after": after, "order": order }),
            )
            .await;
        let connection = &data["contacts"];
        assert_eq!(connection["pageInfo"]["hasPreviousPage"], page_number > 0);
        seen.extend(nodes(connection));
        if connection["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    seen
}

async fn walk_backward(server: &TestServer, token: &str, order: &Value, size: i64) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut before = Value::Null;
    for _ in 0..50 {
        let data = server
            .data(
                token,
                PAGE,
                json!({ "last": size, "before": before, "order": order }),
            )
            .await;
        let connection = &data["contacts"];
        let mut page = nodes(connection);
        page.extend(seen);
        seen = page;
        if connection["pageInfo"]["hasPreviousPage"] == false {
            break;
        }
        before = connection["pageInfo"]["startCursor"].clone();
    }
    seen
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn paging_forward_and_back_visits_every_contact_once_in_every_order(server: &TestServer) {
    let token = server.login("alice").await;
    for (field, key) in ORDERS {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            let forward = walk_forward(server, &token, &order, 7).await;
            let mut unique = ids(&forward);
            unique.sort();
            unique.dedup();
            assert_eq!(
                (forward.len(), unique.len()),
                (36, 36),
                "{field} {direction}: no gaps, no duplicates"
            );
            for pair in forward.windows(2) {
                let (a, b) = (
                    pair[0][key].as_str().unwrap(),
                    pair[1][key].as_str().unwrap(),
                );
                if field != "NAME" {
                    assert!(
                        if direction == "ASC" { a <= b } else { a >= b },
                        "{field} {direction}: {a} then {b}"
                    );
                }
            }
            let backward = walk_backward(server, &token, &order, 5).await;
            assert_eq!(
                ids(&backward),
                ids(&forward),
                "{field} {direction}: backward pages rebuild the same list"
            );
        }
    }
}

async fn the_default_order_is_most_recently_updated_first(server: &TestServer) {
    let token = server.login("alice").await;
    let default = server.data(&token, PAGE, json!({ "first": 100 })).await;
    let explicit = server
        .data(
            &token,
            PAGE,
            json!({ "first": 100, "order": { "field": "UPDATED_AT", "direction": "DESC" } }),
        )
        .await;
    assert_eq!(
        ids(&nodes(&default["contacts"])),
        ids(&nodes(&explicit["contacts"]))
    );
    let twenty = server.data(&token, PAGE, json!({})).await;
    assert_eq!(
        nodes(&twenty["contacts"]).len(),
        20,
        "the default page size is 20"
    );
    assert_eq!(twenty["contacts"]["totalCount"], 36);
}

async fn bad_paging_arguments_are_refused(server: &TestServer) {
    let token = server.login("alice").await;
    let name_order = json!({ "field": "NAME", "direction": "ASC" });
    let first_page = server
        .data(&token, PAGE, json!({ "first": 2, "order": name_order }))
        .await;
    let cursor = first_page["contacts"]["pageInfo"]["endCursor"].clone();
    let bad = [
        json!({ "first": 101 }),
        json!({ "last": -1 }),
        json!({ "first": 2, "last": 2 }),
        json!({ "after": "not a cursor" }),
        json!({ "after": cursor, "order": { "field": "UPDATED_AT", "direction": "DESC" } }),
    ];
    for variables in bad {
        let response = server.post(Some(&token), PAGE, variables.clone()).await;
        assert_eq!(
            error_codes(&response),
            vec!["BAD_USER_INPUT"],
            "{variables}: {response}"
        );
    }
    let hundred = server.data(&token, PAGE, json!({ "first": 100 })).await;
    assert_eq!(nodes(&hundred["contacts"]).len(), 36);
    let empty = server.data(&token, PAGE, json!({ "first": 0 })).await;
    assert_eq!(empty["contacts"]["edges"], json!([]));
}

on_both_databases!(
    paging_forward_and_back_visits_every_contact_once_in_every_order,
    the_default_order_is_most_recently_updated_first,
    bad_paging_arguments_are_refused,
);
