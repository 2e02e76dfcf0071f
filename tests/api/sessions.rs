//! Sessions for mobile and long-lived clients, as an app meets them: login answers a refresh
//! token and when the bearer token expires; `refreshToken` rotates it; a used one replayed
//! revokes its whole family; `logout` ends one session or, with `everywhere`, every token and
//! socket of the operator; a deactivated operator's refresh tokens stop working.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::socket::{close_code, next, open, send};
use crate::support::{DemoIds, TestServer, error_codes, on_both_databases, user_errors};

const LOGIN: &str = "mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { token expiresAt refreshToken operator { login } userErrors { code } } }";
const REFRESH: &str = "mutation($r: String!) { refreshToken(input: {refreshToken: $r}) { token expiresAt refreshToken operator { login } userErrors { code message } } }";
const LOGOUT: &str = "mutation($r: String, $e: Boolean) { logout(input: {refreshToken: $r, everywhere: $e}) { revoked userErrors { code message } } }";
const ME: &str = "{ me { login } }";

async fn sign_in(server: &TestServer, login: &str) -> Value {
    let answer = server
        .post(None, LOGIN, json!({ "l": login, "p": "demo" }))
        .await;
    let payload = answer["data"]["login"].clone();
    assert_eq!(payload["userErrors"], json!([]), "{answer}");
    payload
}

async fn refresh(server: &TestServer, refresh_token: &Value) -> Value {
    let answer = server
        .post(None, REFRESH, json!({ "r": refresh_token }))
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");
    answer["data"]["refreshToken"].clone()
}

fn refused(payload: &Value) -> bool {
    payload["token"].is_null()
        && payload["refreshToken"].is_null()
        && user_errors(payload)
            .iter()
            .any(|(code, _)| code == "INVALID_CREDENTIALS")
}

async fn me(server: &TestServer, token: &Value) -> Value {
    server.post(token.as_str(), ME, json!({})).await
}

fn seconds_from_now(moment: &Value) -> i64 {
    let at = chrono::DateTime::parse_from_rfc3339(moment.as_str().unwrap()).unwrap();
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds()
}

async fn live_refresh_tokens(server: &TestServer) -> i64 {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(server.database_url.as_str())
        .await
        .unwrap();
    let sql =
        "SELECT COUNT(*) AS n FROM refresh_tokens WHERE revoked_at IS NULL AND used_at IS NULL";
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn login_answers_a_short_token_and_a_refresh_token(server: &TestServer) {
    let session = sign_in(server, "alice").await;
    assert!(session["token"].is_string());
    let refresh_token = session["refreshToken"].as_str().unwrap();
    assert!(refresh_token.len() >= 40, "{refresh_token}");
    let left = seconds_from_now(&session["expiresAt"]);
    assert!(
        (880..=905).contains(&left),
        "a 15-minute token: {left} s left"
    );
    assert_eq!(
        me(server, &session["token"]).await["data"]["me"]["login"],
        "alice"
    );
}

async fn a_refresh_token_rotates_and_works_once(server: &TestServer) {
    let session = sign_in(server, "alice").await;
    let renewed = refresh(server, &session["refreshToken"]).await;
    assert_eq!(renewed["userErrors"], json!([]));
    assert_eq!(renewed["operator"]["login"], "alice");
    assert_ne!(renewed["refreshToken"], session["refreshToken"]);
    assert!(seconds_from_now(&renewed["expiresAt"]) > 880);
    assert_eq!(
        me(server, &renewed["token"]).await["data"]["me"]["login"],
        "alice"
    );
    // The next one renews again: a chain, each link used once.
    let again = refresh(server, &renewed["refreshToken"]).await;
    assert_eq!(again["userErrors"], json!([]));
    assert_eq!(
        me(server, &again["token"]).await["data"]["me"]["login"],
        "alice"
    );
}

async fn replaying_a_used_refresh_token_revokes_its_whole_family(server: &TestServer) {
    let stolen = sign_in(server, "alice").await;
    let other_device = sign_in(server, "alice").await;
    let first = refresh(server, &stolen["refreshToken"]).await;
    let second = refresh(server, &first["refreshToken"]).await;
    let live_before = live_refresh_tokens(server).await;

    // The first refresh token, used already, comes back: refused, and its family ends.
    let replayed = refresh(server, &stolen["refreshToken"]).await;
    assert!(refused(&replayed), "{replayed}");
    assert_eq!(live_refresh_tokens(server).await, live_before - 1);
    let descendant = refresh(server, &second["refreshToken"]).await;
    assert!(
        refused(&descendant),
        "the family's newest token: {descendant}"
    );
    let middle = refresh(server, &first["refreshToken"]).await;
    assert!(refused(&middle), "{middle}");

    // Another sign-in of the same operator is another family, untouched.
    let elsewhere = refresh(server, &other_device["refreshToken"]).await;
    assert_eq!(elsewhere["userErrors"], json!([]), "{elsewhere}");
}

async fn two_uses_of_one_refresh_token_at_once_give_at_most_one_session(server: &TestServer) {
    let session = sign_in(server, "bob").await;
    let (one, two) = tokio::join!(
        refresh(server, &session["refreshToken"]),
        refresh(server, &session["refreshToken"])
    );
    let winners: Vec<&Value> = [&one, &two]
        .into_iter()
        .filter(|payload| payload["token"].is_string())
        .collect();
    assert!(winners.len() <= 1, "{one} {two}");
    assert!(refused(&one) || refused(&two), "{one} {two}");
    // A use of a used token revoked the family: whatever the winner got does not renew.
    for winner in winners {
        let next = refresh(server, &winner["refreshToken"]).await;
        assert!(refused(&next), "{next}");
    }
}

async fn unknown_or_malformed_refresh_tokens_are_invalid_credentials(server: &TestServer) {
    for token in [
        json!("not-a-token"),
        json!(""),
        json!("a\u{0}b"),
        json!("x".repeat(10_000)),
    ] {
        let payload = refresh(server, &token).await;
        assert!(refused(&payload), "{payload}");
    }
}

async fn logout_ends_the_session_of_its_refresh_token(server: &TestServer) {
    let phone = sign_in(server, "alice").await;
    let laptop = sign_in(server, "alice").await;
    let answer = server
        .post(
            phone["token"].as_str(),
            LOGOUT,
            json!({ "r": phone["refreshToken"] }),
        )
        .await;
    assert_eq!(
        answer["data"]["logout"]["userErrors"],
        json!([]),
        "{answer}"
    );
    assert_eq!(answer["data"]["logout"]["revoked"], 1);
    assert!(refused(&refresh(server, &phone["refreshToken"]).await));
    // Logging out again changes nothing; the other session goes on.
    let again = server
        .post(None, LOGOUT, json!({ "r": phone["refreshToken"] }))
        .await;
    assert_eq!(again["data"]["logout"]["revoked"], 0);
    let renewed = refresh(server, &laptop["refreshToken"]).await;
    assert_eq!(renewed["userErrors"], json!([]));
}

async fn logout_everywhere_ends_every_token_and_socket(server: &TestServer) {
    let phone = sign_in(server, "bob").await;
    let laptop = sign_in(server, "bob").await;
    let alice = sign_in(server, "alice").await;
    let mut socket = open(server, "graphql-transport-ws").await;
    let init = json!({ "type": "connection_init",
        "payload": { "authorization": format!("Bearer {}", laptop["token"].as_str().unwrap()) } });
    send(&mut socket, init).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(2)).await.unwrap()["type"],
        "connection_ack"
    );

    let answer = server
        .post(phone["token"].as_str(), LOGOUT, json!({ "e": true }))
        .await;
    assert_eq!(
        answer["data"]["logout"]["userErrors"],
        json!([]),
        "{answer}"
    );
    assert_eq!(answer["data"]["logout"]["revoked"], 2);
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(3)).await,
        Some(4403)
    );
    for token in [&phone["token"], &laptop["token"]] {
        assert_eq!(error_codes(&me(server, token).await), ["UNAUTHENTICATED"]);
    }
    for refresh_token in [&phone["refreshToken"], &laptop["refreshToken"]] {
        assert!(refused(&refresh(server, refresh_token).await));
    }
    // Another operator is untouched, and bob signs in again as before.
    assert_eq!(
        me(server, &alice["token"]).await["data"]["me"]["login"],
        "alice"
    );
    let back = sign_in(server, "bob").await;
    assert_eq!(
        me(server, &back["token"]).await["data"]["me"]["login"],
        "bob"
    );
}

async fn logout_everywhere_with_only_a_refresh_token_names_its_operator(server: &TestServer) {
    let phone = sign_in(server, "maria").await;
    let answer = server
        .post(
            None,
            LOGOUT,
            json!({ "r": phone["refreshToken"], "e": true }),
        )
        .await;
    assert_eq!(answer["data"]["logout"]["revoked"], 1, "{answer}");
    assert_eq!(
        error_codes(&me(server, &phone["token"]).await),
        ["UNAUTHENTICATED"]
    );
}

async fn logout_asking_for_nothing_is_refused_and_writes_nothing(server: &TestServer) {
    let session = sign_in(server, "alice").await;
    let live = live_refresh_tokens(server).await;
    let answer = server
        .post(session["token"].as_str(), LOGOUT, json!({}))
        .await;
    assert_eq!(
        answer["data"]["logout"]["userErrors"][0]["code"], "INVALID_INPUT",
        "{answer}"
    );
    assert_eq!(answer["data"]["logout"]["revoked"], 0);
    // everywhere without knowing who: unauthenticated.
    let anonymous = server.post(None, LOGOUT, json!({ "e": true })).await;
    assert_eq!(error_codes(&anonymous), ["UNAUTHENTICATED"], "{anonymous}");
    assert_eq!(live_refresh_tokens(server).await, live);
    assert_eq!(
        me(server, &session["token"]).await["data"]["me"]["login"],
        "alice"
    );
}

async fn a_deactivated_operators_refresh_token_stops_working(server: &TestServer) {
    let session = sign_in(server, "bob").await;
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let save = "mutation($id: ID!, $a: Boolean) { saveOperator(input: {id: $id, active: $a}) { userErrors { code } } }";
    server
        .data(
            &admin,
            save,
            json!({ "id": ids.operator("bob"), "a": false }),
        )
        .await;
    assert!(refused(&refresh(server, &session["refreshToken"]).await));
    // Active again, bob signs in anew: the sessions from before stay ended.
    server
        .data(
            &admin,
            save,
            json!({ "id": ids.operator("bob"), "a": true }),
        )
        .await;
    assert!(refused(&refresh(server, &session["refreshToken"]).await));
    assert_eq!(
        error_codes(&me(server, &session["token"]).await),
        ["UNAUTHENTICATED"]
    );
    let back = sign_in(server, "bob").await;
    assert_eq!(
        me(server, &back["token"]).await["data"]["me"]["login"],
        "bob"
    );
}

on_both_databases!(
    login_answers_a_short_token_and_a_refresh_token,
    a_refresh_token_rotates_and_works_once,
    replaying_a_used_refresh_token_revokes_its_whole_family,
    two_uses_of_one_refresh_token_at_once_give_at_most_one_session,
    unknown_or_malformed_refresh_tokens_are_invalid_credentials,
    logout_ends_the_session_of_its_refresh_token,
    logout_everywhere_ends_every_token_and_socket,
    logout_everywhere_with_only_a_refresh_token_names_its_operator,
    logout_asking_for_nothing_is_refused_and_writes_nothing,
    a_deactivated_operators_refresh_token_stops_working,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_refreshes_from_one_address_are_rate_limited() {
    let Some(server) = TestServer::start_adjusted(crate::support::Backend::Sqlite, true, |s| {
        s.limits.sign_in_failures_per_address = 3;
    })
    .await
    else {
        return;
    };
    for _ in 0..3 {
        assert!(refused(&refresh(&server, &json!("guess")).await));
    }
    let limited = server.post(None, REFRESH, json!({ "r": "guess" })).await;
    assert_eq!(error_codes(&limited), ["RATE_LIMITED"], "{limited}");
    assert!(
        limited["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    server.finish().await;
}
