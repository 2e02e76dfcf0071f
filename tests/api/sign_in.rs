//! Signing in under attack: failed sign-ins are limited per login and per client address, and a
//! refused attempt is answered RATE_LIMITED with when to try again, whatever its password;
//! attempts still being checked count, so a concurrent burst checks no more than the limit.

use serde_json::{Value, json};

use crate::support::{TestServer, error_codes, on_both_databases};

const LOGIN: &str = "mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { token userErrors { code } } }";

async fn sign_in(server: &TestServer, login: &str, password: &str) -> Value {
    server
        .post(None, LOGIN, json!({ "l": login, "p": password }))
        .await
}

fn refused_for(answer: &Value) -> Option<u64> {
    (error_codes(answer) == ["RATE_LIMITED"])
        .then(|| answer["errors"][0]["extensions"]["retryAfterSeconds"].as_u64())
        .flatten()
}

async fn the_sixth_sign_in_after_five_wrong_passwords_is_refused_unchecked(server: &TestServer) {
    for attempt in 1..=5 {
        let answer = sign_in(server, "alice", "wrong").await;
        assert_eq!(
            answer["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "attempt {attempt}: {answer}"
        );
    }
    let sixth = sign_in(server, "alice", "demo").await;
    let wait = refused_for(&sixth).unwrap_or_else(|| panic!("refused: {sixth}"));
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    assert!(
        sixth["data"].is_null(),
        "the right password is not even checked: {sixth}"
    );
    assert!(
        sign_in(server, "bob", "demo").await["data"]["login"]["token"].is_string(),
        "another login still signs in"
    );
}

async fn thirty_failures_from_one_address_refuse_every_login_from_it(server: &TestServer) {
    for n in 0..30 {
        let answer = sign_in(server, &format!("nobody-{n}"), "wrong").await;
        assert_eq!(
            answer["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "attempt {n}: {answer}"
        );
    }
    let answer = sign_in(server, "bob", "demo").await;
    let wait = refused_for(&answer).unwrap_or_else(|| panic!("refused: {answer}"));
    assert!((1..=60).contains(&wait), "{wait}");
}

async fn a_right_password_forgives_the_earlier_failures_of_its_login(server: &TestServer) {
    for _ in 0..4 {
        sign_in(server, "maria", "wrong").await;
    }
    assert!(sign_in(server, "maria", "demo").await["data"]["login"]["token"].is_string());
    for attempt in 1..=4 {
        let answer = sign_in(server, "maria", "wrong").await;
        assert_eq!(
            answer["data"]["login"]["userErrors"][0]["code"], "INVALID_CREDENTIALS",
            "attempt {attempt} after the success: {answer}"
        );
    }
}

async fn a_burst_of_concurrent_wrong_passwords_checks_no_more_than_the_limit(server: &TestServer) {
    let attempts = (0..100).map(|_| sign_in(server, "bob", "wrong"));
    let answers = futures_util::future::join_all(attempts).await;
    let checked = answers
        .iter()
        .filter(|a| a["data"]["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS")
        .count();
    let refused = answers.iter().filter(|a| refused_for(a).is_some()).count();
    assert_eq!((checked, refused), (5, 95), "{answers:?}");
}

on_both_databases!(
    a_burst_of_concurrent_wrong_passwords_checks_no_more_than_the_limit,
    the_sixth_sign_in_after_five_wrong_passwords_is_refused_unchecked,
    thirty_failures_from_one_address_refuse_every_login_from_it,
    a_right_password_forgives_the_earlier_failures_of_its_login,
);
