//! Subscribers that ask the same of an event share one answer; an answer that depends on who
//! asks (the transitions the caller may take) is never shown to another caller.

use std::time::Duration;

use serde_json::{Value, json};

use super::{subscribed, subscribed_to, take};
use crate::support::{DemoIds, TestServer, contact_in, on_both_databases};

/// The events with the caller's transitions of the contact.
const WITH_RIGHTS: &str = "subscription($after: String) {
    contactEvents(after: $after) {
        cursor kind contact { id availableTransitions { allowed blockedBy transition { to { code } } } }
    } }";

/// `contactflow_subscription_answers_shared_total`, from `/metrics`.
async fn shared(server: &TestServer) -> i64 {
    let metrics = server.metrics().await;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("contactflow_subscription_answers_shared_total "))
        .and_then(|value| value.trim().parse().ok())
        .expect("the shared answers counter")
}

/// The transitions to CUSTOMER that `token`'s caller is offered for `contact`, as a query
/// answers them.
async fn offered(server: &TestServer, token: &str, contact: &Value) -> Value {
    let data = server
        .data(
            token,
            "query($id: ID!) { contact(id: $id) { availableTransitions { allowed blockedBy transition { to { code } } } } }",
            json!({ "id": contact }),
        )
        .await;
    data["contact"]["availableTransitions"].clone()
}

async fn subscribers_who_ask_the_same_share_answers_but_never_what_depends_on_the_caller(
    server: &TestServer,
) {
    let maria = server.login("maria").await;
    let ids = DemoIds::read(server, &maria).await;
    // Three subscribers of the same document (two operators), and two of a document that
    // asks what the caller may do: OPPORTUNITY → CUSTOMER is the MANAGER's alone.
    let mut same = Vec::new();
    for login in ["alice", "alice", "maria"] {
        same.push(subscribed(server, login, json!({})).await);
    }
    let mut alice_rights = subscribed_to(server, "alice", WITH_RIGHTS, json!({})).await;
    // The resume cursor is not part of what is compared: maria resumes from nowhere.
    let mut maria_rights =
        subscribed_to(server, "maria", WITH_RIGHTS, json!({ "after": null })).await;
    let before = shared(server).await;
    let contact = contact_in(server, &maria, &ids, "OPPORTUNITY", |_| true).await;
    let saved = server
        .data(
            &maria,
            super::SAVE,
            json!({ "input": { "id": contact["id"], "expectedVersion": contact["version"], "name": "Condivisa Spa" } }),
        )
        .await;
    assert_eq!(saved["saveContact"]["userErrors"], json!([]), "{saved}");
    let mut answers = Vec::new();
    for socket in &mut same {
        answers.push(take(socket, 1, Duration::from_secs(5)).await.remove(0));
    }
    assert!(answers.iter().all(|answer| *answer == answers[0]));
    assert_eq!(answers[0]["kind"], "UPDATED");
    assert_eq!(answers[0]["contact"]["name"], "Condivisa Spa");
    let alice_saw = take(&mut alice_rights, 1, Duration::from_secs(5))
        .await
        .remove(0);
    let maria_saw = take(&mut maria_rights, 1, Duration::from_secs(5))
        .await
        .remove(0);
    let alice = server.login("alice").await;
    assert_eq!(
        alice_saw["contact"]["availableTransitions"],
        offered(server, &alice, &contact["id"]).await
    );
    assert_eq!(
        maria_saw["contact"]["availableTransitions"],
        offered(server, &maria, &contact["id"]).await
    );
    assert_ne!(
        alice_saw["contact"]["availableTransitions"], maria_saw["contact"]["availableTransitions"],
        "the MANAGER's transition is not the OPERATOR's"
    );
    // Of the three askers of one document one made the answer and two sent it; the answers
    // that depend on the caller were each made for their own.
    assert_eq!(shared(server).await, before + 2);
}

on_both_databases!(subscribers_who_ask_the_same_share_answers_but_never_what_depends_on_the_caller,);
