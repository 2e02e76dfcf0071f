//! Companies as their people meet them: signing in to one, switching, the demo's two
//! companies, and an ADMIN creating and renaming one.

use serde_json::{Value, json};

use crate::support::{TestServer, error_codes, on_both_databases, user_errors};

const LOGIN: &str = "mutation($l: String!, $c: String) { login(input: {login: $l, password: \"demo\", companyCode: $c}) { token refreshToken operator { login role } userErrors { code field } } }";
const WHERE_AM_I: &str = "{ company { id code name } companies { code } me { login role companies { code } } contacts { totalCount } }";
const SWITCH: &str = "mutation($c: ID!) { switchCompany(input: {companyId: $c}) { token operator { login role } userErrors { code field } } }";
const SAVE: &str = "mutation($id: ID, $code: String!, $name: String!) { saveCompany(input: {id: $id, code: $code, name: $name}) { company { id code name } userErrors { code field } } }";

/// Signs in to a company (or the first one by code).
pub async fn login_to(server: &TestServer, login: &str, company: Option<&str>) -> Value {
    server
        .post(None, LOGIN, json!({ "l": login, "c": company }))
        .await["data"]["login"]
        .clone()
}

/// A token of `login` for the company with `code`.
pub async fn token_for(server: &TestServer, login: &str, code: &str) -> String {
    let answer = login_to(server, login, Some(code)).await;
    answer["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{login} signs in to {code}: {answer}"))
        .to_owned()
}

async fn a_sign_in_works_for_one_company_and_says_which(server: &TestServer) {
    let first = login_to(server, "bob", None).await;
    assert_eq!(first["userErrors"], json!([]));
    let seen = server
        .data(first["token"].as_str().unwrap(), WHERE_AM_I, json!({}))
        .await;
    assert_eq!(seen["company"]["code"], "ACME", "the first company by code");
    assert_eq!(seen["company"]["name"], "Acme S.p.A.");
    assert_eq!(
        seen["companies"],
        json!([{ "code": "ACME" }, { "code": "GLOBEX" }])
    );
    assert_eq!(seen["contacts"]["totalCount"], 36);
    let globex = token_for(server, "bob", "GLOBEX").await;
    let seen = server.data(&globex, WHERE_AM_I, json!({})).await;
    assert_eq!(seen["company"]["code"], "GLOBEX");
    assert_eq!(seen["contacts"]["totalCount"], 12);
    assert_eq!(seen["me"]["role"], "OPERATOR");
    let carla = login_to(server, "carla", None).await;
    let seen = server
        .data(carla["token"].as_str().unwrap(), WHERE_AM_I, json!({}))
        .await;
    assert_eq!(seen["company"]["code"], "GLOBEX");
    assert_eq!(seen["companies"], json!([{ "code": "GLOBEX" }]));
    assert_eq!(seen["me"]["companies"], json!([{ "code": "GLOBEX" }]));
}

async fn a_company_one_does_not_belong_to_is_invalid_credentials(server: &TestServer) {
    for (login, code) in [("carla", "ACME"), ("alice", "GLOBEX"), ("alice", "NOWHERE")] {
        let answer = login_to(server, login, Some(code)).await;
        assert_eq!(answer["token"], Value::Null, "{login} in {code}");
        assert_eq!(
            user_errors(&answer),
            [("INVALID_CREDENTIALS".to_owned(), "input".to_owned())],
            "{login} in {code}: the same answer as a wrong password"
        );
    }
}

async fn operators_see_only_the_companies_they_share(server: &TestServer) {
    let alice = token_for(server, "alice", "ACME").await;
    let people = server
        .data(
            &alice,
            "{ operators { login companies { code } } }",
            json!({}),
        )
        .await;
    let listed: Vec<(String, Value)> = people["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["login"].as_str().unwrap().to_owned(),
                o["companies"].clone(),
            )
        })
        .collect();
    let logins: Vec<&str> = listed.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(logins.len(), 4, "ACME's four people, not carla: {logins:?}");
    assert!(!logins.contains(&"carla"));
    for (login, companies) in &listed {
        assert_eq!(
            companies,
            &json!([{ "code": "ACME" }]),
            "{login}: only what alice shares"
        );
    }
}

async fn switching_company_gives_a_token_for_it(server: &TestServer) {
    let acme = token_for(server, "bob", "ACME").await;
    let companies = server
        .data(&acme, "{ companies { id code } }", json!({}))
        .await["companies"]
        .clone();
    let globex_id = companies[1]["id"].clone();
    assert_eq!(companies[1]["code"], "GLOBEX");
    let switched =
        server.data(&acme, SWITCH, json!({ "c": globex_id })).await["switchCompany"].clone();
    assert_eq!(switched["userErrors"], json!([]));
    let seen = server
        .data(switched["token"].as_str().unwrap(), WHERE_AM_I, json!({}))
        .await;
    assert_eq!(seen["company"]["code"], "GLOBEX");
    // The session it came from goes on.
    let still = server.data(&acme, WHERE_AM_I, json!({})).await;
    assert_eq!(still["company"]["code"], "ACME");
    // alice belongs to ACME only: GLOBEX is as unknown to her as a made-up id.
    let alice = token_for(server, "alice", "ACME").await;
    let before = server.snapshot().await;
    for target in [globex_id, json!("Q29tcGFueTo5OTk"), json!("nonsense")] {
        let refused =
            server.data(&alice, SWITCH, json!({ "c": target })).await["switchCompany"].clone();
        assert_eq!(refused["token"], Value::Null);
        assert_eq!(
            user_errors(&refused),
            [("NOT_FOUND".to_owned(), "input.companyId".to_owned())]
        );
    }
    assert_eq!(
        server.snapshot().await,
        before,
        "a refused switch writes nothing"
    );
}

async fn an_admin_creates_and_renames_a_company(server: &TestServer) {
    let admin = token_for(server, "admin", "ACME").await;
    let created = server
        .data(
            &admin,
            SAVE,
            json!({ "code": "INITECH", "name": "Initech S.r.l." }),
        )
        .await["saveCompany"]
        .clone();
    assert_eq!(created["userErrors"], json!([]));
    let id = created["company"]["id"].clone();
    let initech = token_for(server, "admin", "INITECH").await;
    let seen = server.data(&initech, WHERE_AM_I, json!({})).await;
    assert_eq!(seen["company"]["name"], "Initech S.r.l.");
    assert_eq!(seen["me"]["role"], "ADMIN", "its creator is its ADMIN");
    assert_eq!(
        seen["contacts"]["totalCount"], 0,
        "a new company starts empty"
    );
    let renamed = server
        .data(
            &admin,
            SAVE,
            json!({ "id": id, "code": "INITECH", "name": "Initech S.p.A." }),
        )
        .await["saveCompany"]
        .clone();
    assert_eq!(renamed["company"]["name"], "Initech S.p.A.");
    let before = server.snapshot().await;
    let taken = server
        .data(&admin, SAVE, json!({ "code": "GLOBEX", "name": "Another" }))
        .await["saveCompany"]
        .clone();
    assert_eq!(
        user_errors(&taken),
        [("INVALID_INPUT".to_owned(), "input.code".to_owned())]
    );
    let blank = server
        .data(&admin, SAVE, json!({ "code": " ", "name": "" }))
        .await["saveCompany"]
        .clone();
    assert_eq!(user_errors(&blank).len(), 2);
    let maria = token_for(server, "maria", "ACME").await;
    let forbidden = server
        .data(&maria, SAVE, json!({ "code": "MARIA", "name": "Maria's" }))
        .await["saveCompany"]
        .clone();
    assert_eq!(user_errors(&forbidden)[0].0, "FORBIDDEN");
    // carla works for GLOBEX only: INITECH is as unknown to its ADMIN-less members as none.
    let carla = token_for(server, "carla", "GLOBEX").await;
    let foreign = server
        .data(
            &carla,
            SAVE,
            json!({ "id": id, "code": "MINE", "name": "Mine" }),
        )
        .await["saveCompany"]
        .clone();
    assert_eq!(user_errors(&foreign)[0].0, "FORBIDDEN", "carla is no ADMIN");
    let unknown = server
        .data(
            &admin,
            SAVE,
            json!({ "id": "Q29tcGFueTo5OTk", "code": "X", "name": "X" }),
        )
        .await["saveCompany"]
        .clone();
    assert_eq!(
        user_errors(&unknown),
        [("NOT_FOUND".to_owned(), "input.id".to_owned())]
    );
    assert_eq!(
        server.snapshot().await,
        before,
        "refused saves write nothing"
    );
}

async fn a_company_node_is_only_the_callers(server: &TestServer) {
    let bob = token_for(server, "bob", "ACME").await;
    let ids = server
        .data(&bob, "{ companies { id code } }", json!({}))
        .await["companies"]
        .clone();
    let globex = ids[1]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { id ... on Company { code } } }";
    assert_eq!(
        server.data(&bob, node, json!({ "id": globex })).await["node"]["code"],
        "GLOBEX",
        "bob belongs to GLOBEX too"
    );
    let alice = token_for(server, "alice", "ACME").await;
    assert_eq!(
        server.data(&alice, node, json!({ "id": globex })).await["node"],
        Value::Null
    );
    assert!(
        error_codes(
            &server
                .post(Some(&alice), node, json!({ "id": globex }))
                .await
        )
        .is_empty()
    );
}

on_both_databases!(
    a_sign_in_works_for_one_company_and_says_which,
    a_company_one_does_not_belong_to_is_invalid_credentials,
    operators_see_only_the_companies_they_share,
    switching_company_gives_a_token_for_it,
    an_admin_creates_and_renames_a_company,
    a_company_node_is_only_the_callers,
);
