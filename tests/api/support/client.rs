//! Talking to the server under test as a client does: GraphQL over HTTP, sign-in, metrics; and
//! reading its database straight, to check what a write did or did not change.

use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use super::server::TestServer;

impl TestServer {
    /// `POST /graphql` with a query and its variables; the parsed response.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.post_as(token, json!({ "query": query, "variables": variables }))
            .await
    }

    /// `POST /graphql` with `body` as it is, without a token; the parsed response.
    pub async fn post_body(&self, body: Value) -> Value {
        self.post_as(None, body).await
    }

    async fn post_as(&self, token: Option<&str>, body: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(body.to_string());
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.expect("request sent");
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
        super::assert_contract_codes(&body);
        body
    }

    /// The text of `GET /metrics`.
    pub async fn metrics(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics answered");
        response.text().await.expect("metrics body")
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self.post(Some(token), query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Signs in with the demo password and returns the token.
    pub async fn login(&self, login: &str) -> String {
        let response = self
            .post(
                None,
                "mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { token userErrors { code } } }",
                json!({ "l": login, "p": "demo" }),
            )
            .await;
        response["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {response}"))
            .to_owned()
    }

    /// Numbers counted straight from the database, one per statement.
    pub async fn counts(&self, queries: &[&str]) -> Vec<(String, i64)> {
        let db = Database::connect(self.database_url.as_str())
            .await
            .expect("database reachable");
        let mut figures = Vec::new();
        for sql in queries {
            let statement =
                sea_orm::Statement::from_string(db.get_database_backend(), (*sql).to_owned());
            let row = db
                .query_one_raw(statement)
                .await
                .expect("query")
                .expect("row");
            let value: i64 = row.try_get_by_index(0).expect("a number");
            figures.push(((*sql).to_owned(), value));
        }
        db.close().await.ok();
        figures
    }

    /// Every SQL statement the server has run so far (`/metrics`), of every kind.
    pub async fn statements_run(&self) -> u64 {
        self.metrics()
            .await
            .lines()
            .filter(|line| line.starts_with("contactflow_db_statements_total{"))
            .filter_map(|line| line.rsplit(' ').next()?.trim().parse::<u64>().ok())
            .sum()
    }

    /// Waits until the server runs no statement of its own (the reminder engine settling what
    /// it loaded or what a write scheduled).
    pub async fn quiet(&self) {
        let mut last = self.statements_run().await;
        for _ in 0..100 {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let now = self.statements_run().await;
            if now == last {
                return;
            }
            last = now;
        }
        panic!("the server never stopped running statements");
    }

    /// Runs one statement straight on the database (its `?` placeholders numbered for
    /// PostgreSQL): to put rows in a state the API cannot reach, such as an old last touch.
    pub async fn execute(&self, sql: &str, values: Vec<sea_orm::Value>) {
        let db = Database::connect(self.database_url.as_str())
            .await
            .expect("database reachable");
        let backend = db.get_database_backend();
        let sql = if backend == sea_orm::DbBackend::Postgres {
            contactflow::db::numbered(sql)
        } else {
            sql.to_owned()
        };
        db.execute_raw(sea_orm::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await
        .expect("statement runs");
        db.close().await.ok();
    }

    /// One number counted straight from the database.
    pub async fn count(&self, sql: &str) -> i64 {
        self.counts(&[sql]).await[0].1
    }

    /// Everything a write could change, counted straight from the database: row counts of
    /// every table, the sum of contact versions, and open pending activities and to-dos.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let queries = [
            "SELECT COUNT(*) FROM contacts",
            "SELECT COALESCE(SUM(version), 0) FROM contacts",
            "SELECT COUNT(*) FROM activities",
            "SELECT COUNT(*) FROM pending_activities",
            "SELECT COUNT(*) FROM pending_activities WHERE status = 'OPEN'",
            "SELECT COUNT(*) FROM todos",
            "SELECT COUNT(*) FROM todos WHERE status = 'OPEN'",
            "SELECT COUNT(*) FROM stage_changes",
            "SELECT COUNT(*) FROM idempotency_records",
            "SELECT COUNT(*) FROM reminder_states",
            "SELECT COUNT(*) FROM operators",
            "SELECT COUNT(*) FROM activity_types",
            "SELECT COUNT(*) FROM workflows",
            "SELECT COUNT(*) FROM stages",
            "SELECT COUNT(*) FROM stage_activity_rules",
            "SELECT COUNT(*) FROM transitions",
            "SELECT COUNT(*) FROM stage_names",
            "SELECT COUNT(*) FROM activity_type_names",
            "SELECT COUNT(*) FROM operators WHERE locale <> 'en'",
            "SELECT COUNT(*) FROM companies",
            "SELECT COUNT(*) FROM memberships",
            "SELECT COUNT(*) FROM memberships WHERE active",
            "SELECT COALESCE(SUM(token_generation), 0) FROM memberships",
            "SELECT COUNT(*) FROM contact_events",
            "SELECT COUNT(*) FROM webhooks",
            "SELECT COUNT(*) FROM webhook_deliveries",
        ];
        self.counts(&queries).await
    }
}
