//! A catalogue of crafted documents, each up to 64 KiB, that try to make the server work hard:
//! fragment fan-outs and cycles, deep nesting, wide aliases, many tokens and directives, long
//! strings, multiplying introspection. The tests send every one to a running server, and the
//! `crafted` benchmark (which includes this file) times how fast each is answered or refused.

/// One crafted document and how the server must treat it.
pub struct Crafted {
    /// What it tries.
    pub name: &'static str,
    /// The document.
    pub query: String,
    /// The operation to run, when the document holds several.
    pub operation_name: Option<String>,
    /// The code it is refused with; `None` when it is answered.
    pub refused_with: Option<&'static str>,
}

/// The most a crafted document may weigh: it must fit a request body.
pub const BUDGET: usize = 60 * 1024;

fn crafted(name: &'static str, query: String, refused_with: Option<&'static str>) -> Crafted {
    Crafted {
        name,
        query,
        operation_name: None,
        refused_with,
    }
}

/// Fragments that each spread the next `fan` times, as many levels as fit in the budget.
fn fan_out(fan: usize, levels: usize) -> String {
    let mut query = String::from("{ ...F0 }");
    let mut level = 0;
    while level < levels {
        let spreads = format!("...F{} ", level + 1).repeat(fan);
        let fragment = format!(" fragment F{level} on Query {{ {spreads}}}");
        if query.len() + fragment.len() > BUDGET - 100 {
            break;
        }
        query.push_str(&fragment);
        level += 1;
    }
    query.push_str(&format!(" fragment F{level} on Query {{ __typename }}"));
    query
}

/// Repeats `unit` as often as fits in the budget, inside `open` … `close`.
fn filled(open: &str, unit: &str, close: &str) -> String {
    let times = (BUDGET - open.len() - close.len()) / unit.len();
    format!("{open}{}{close}", unit.repeat(times))
}

/// Every crafted document.
pub fn documents() -> Vec<Crafted> {
    let too_complex = Some("QUERY_TOO_COMPLEX");
    let invalid = Some("GRAPHQL_VALIDATION_FAILED");
    let aliases: String = (0..3_000).map(|n| format!("a{n}: __typename ")).collect();
    let operations: String = (0..1_500)
        .map(|n| format!("query Q{n} {{ __typename }} "))
        .collect();
    let unused_variables: String = (0..1_400).map(|n| format!("$v{n}: Int ")).collect();
    let introspection_field = "fields { type { fields { type { fields { name } } } } }";
    vec![
        crafted("fragment fan-out, 10 × 10 levels", fan_out(10, 10), too_complex),
        crafted("fragment fan-out filling 60 KiB", fan_out(40, 400), too_complex),
        crafted(
            "fragment cycle with fan-out",
            "{ ...A } fragment A on Query { ...B ...B ...B ...B ...B ...B ...B ...B } fragment B on Query { ...A ...A ...A ...A ...A ...A ...A ...A }".into(),
            invalid,
        ),
        crafted("30,000 nested selections", filled("", "{a", ""), too_complex),
        crafted(
            "nested fields just within the parser's limit",
            format!("{}{}", "{ __typename a".repeat(60), " }".repeat(60)),
            too_complex,
        ),
        crafted("3,000 aliases", format!("{{ {aliases}}}"), too_complex),
        crafted("30,000 tokens", filled("{ __type(name: [", "[],", "]) { name } }"), too_complex),
        crafted(
            "600 directives",
            format!("{{ {} }}", "__typename @skip(if: false) ".repeat(600)),
            too_complex,
        ),
        crafted(
            "1,999 selections of one field",
            format!("{{ {} }}", "__typename ".repeat(1_999)),
            None,
        ),
        crafted(
            "a 60 KiB string",
            format!("{{ __type(name: \"{}\") {{ name }} }}", "x".repeat(BUDGET - 40)),
            None,
        ),
        crafted(
            "a 60 KiB block string with escapes",
            format!("{{ __type(name: \"\"\"{}\"\"\") {{ name }} }}", "\\\"\"\" ".repeat((BUDGET - 40) / 9)),
            None,
        ),
        crafted("a list value nested 30,000 deep", filled("{ __type(name: ", "[", "") , too_complex),
        crafted(
            "multiplying introspection",
            format!("{{ __schema {{ types {{ {introspection_field} }} }} }}"),
            too_complex,
        ),
        crafted(
            "1,400 unused variables",
            format!("query ({unused_variables}) {{ __typename }}"),
            invalid,
        ),
        Crafted {
            name: "1,500 operations",
            query: operations,
            operation_name: Some("Q777".into()),
            refused_with: None,
        },
        crafted("unterminated string", format!("{{ __type(name: \"{}", "x".repeat(BUDGET - 20)), Some("GRAPHQL_PARSE_FAILED")),
    ]
}
