//! Unit tests of the document gate.

use super::*;

fn gate() -> Gate {
    Gate::new(DocumentLimits::default())
}

fn refusal(query: &str) -> Refusal {
    gate().admit(query).unwrap_err()
}

#[test]
fn an_ordinary_document_is_admitted_and_cached() {
    let gate = gate();
    let query = "query Page { contacts(first: 100) { edges { node { id name } } } }";
    assert!(gate.admit(query).is_ok());
    assert!(gate.admit(query).is_ok());
    assert_eq!(gate.verdicts.lock().unwrap().len(), 1);
}

#[test]
fn a_syntax_error_keeps_its_location() {
    let refused = refusal("{ contacts {");
    assert_eq!(refused.code, "GRAPHQL_PARSE_FAILED");
    assert_eq!(refused.locations.len(), 1);
}

#[test]
fn each_limit_refuses_with_its_own_message() {
    let deep = format!("{}{}", "{a".repeat(13), "}".repeat(13));
    assert!(refusal(&deep).message.contains("12 deep"));
    let aliases: String = (0..101).map(|n| format!("a{n}: __typename ")).collect();
    assert!(
        refusal(&format!("{{{aliases}}}"))
            .message
            .contains("aliases")
    );
    let directives = "__typename @skip(if: false) ".repeat(51);
    assert!(
        refusal(&format!("{{{directives}}}"))
            .message
            .contains("directives")
    );
    let wide = "__typename ".repeat(2_001);
    assert!(
        refusal(&format!("{{{wide}}}"))
            .message
            .contains("selections")
    );
    let long = "a ".repeat(10_001);
    assert!(refusal(&format!("{{{long}}}")).message.contains("tokens"));
    let nested = format!("{{ a(x: {}1{}) }}", "[".repeat(70), "]".repeat(70));
    assert_eq!(refusal(&nested).code, "QUERY_TOO_COMPLEX");
}

#[test]
fn the_standard_introspection_query_is_admitted_and_a_multiplying_one_is_not() {
    let standard = "query IntrospectionQuery { __schema { queryType { name } types { ...FullType } directives { name args { ...InputValue } } } } fragment FullType on __Type { kind name fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } } fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue } fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }";
    assert!(gate().admit(standard).is_ok());
    let multiplying =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    assert!(refusal(multiplying).message.contains("introspection lists"));
    let repeated = "{ a: __schema { queryType { name } } b: __schema { queryType { name } } c: __type(name: \"Query\") { name } d: __type(name: \"Query\") { name } }";
    assert!(refusal(repeated).message.contains("__schema or __type"));
}

#[test]
fn no_field_of_the_schema_shares_a_name_with_an_introspection_list() {
    let sdl = crate::graphql::sdl();
    for line in sdl.lines().map(str::trim) {
        for name in expansion::INTROSPECTION_LISTS {
            let field =
                line.starts_with(&format!("{name}:")) || line.starts_with(&format!("{name}("));
            assert!(
                !field,
                "the schema's field {name} would count as introspection"
            );
        }
    }
}

#[test]
fn a_fragment_cycle_is_refused_before_anything_walks_it() {
    let query = "{ ...A } fragment A on Query { ...B ...B ...B ...B } fragment B on Query { ...A ...A ...A ...A }";
    assert_eq!(refusal(query).code, "GRAPHQL_VALIDATION_FAILED");
}

#[test]
fn a_fragment_bomb_is_refused_by_its_expanded_size() {
    let mut query = String::from("{ ...F0 }");
    for level in 0..8 {
        let spreads = format!("...F{} ", level + 1).repeat(10);
        query.push_str(&format!(" fragment F{level} on Query {{ {spreads} }}"));
    }
    query.push_str(" fragment F8 on Query { __typename }");
    assert!(refusal(&query).message.contains("2000 selections"));
}
