//! Media types of GraphQL over HTTP: which one a client accepts, and what a body is.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName};

/// The media type of a GraphQL response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `application/graphql-response+json`: request errors answer 4xx.
    GraphqlResponse,
    /// `application/json`: every well-formed request answers 200.
    Json,
}

impl ResponseType {
    /// The `Content-Type` value.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

fn essence(value: &str) -> (String, Vec<(String, String)>) {
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let params = parts
        .filter_map(|param| param.split_once('='))
        .map(|(k, v)| {
            (
                k.trim().to_ascii_lowercase(),
                v.trim().trim_matches('"').to_ascii_lowercase(),
            )
        })
        .collect();
    (media, params)
}

/// The items of a comma-separated header that weighs them with `q` (`Accept`,
/// `Accept-Encoding`), lowercased, each with its quality (1 when not given).
pub fn weighted(headers: &HeaderMap, name: HeaderName) -> Vec<(String, f32)> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|item| {
            let (item, params) = essence(item);
            let quality = params
                .iter()
                .find(|(k, _)| k == "q")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1.0);
            (item, quality)
        })
        .collect()
}

/// The media ranges of `Accept` with a quality above zero; `None` when there is no `Accept`.
fn accepted_ranges(headers: &HeaderMap) -> Option<Vec<String>> {
    let ranges = weighted(headers, ACCEPT);
    if ranges.is_empty() {
        return None;
    }
    Some(
        ranges
            .into_iter()
            .filter(|(_, quality)| *quality > 0.0)
            .map(|(media, _)| media)
            .collect(),
    )
}

/// Picks the response type from `Accept`: the GraphQL media type when listed, else JSON when
/// acceptable (also when there is no `Accept`); `None` when neither is acceptable.
pub fn negotiate(headers: &HeaderMap) -> Option<ResponseType> {
    let Some(ranges) = accepted_ranges(headers) else {
        return Some(ResponseType::Json);
    };
    let accepts = |media: &str| ranges.iter().any(|range| range == media);
    if accepts("application/graphql-response+json") {
        Some(ResponseType::GraphqlResponse)
    } else if accepts("application/json") || accepts("application/*") || accepts("*/*") {
        Some(ResponseType::Json)
    } else {
        None
    }
}

/// Whether `Accept` names `text/event-stream`: the client wants GraphQL over Server-Sent
/// Events.
pub fn wants_event_stream(headers: &HeaderMap) -> bool {
    accepted_ranges(headers).is_some_and(|ranges| ranges.iter().any(|r| r == "text/event-stream"))
}

/// Whether `Accept` names HTML explicitly, as a browser opening a page does.
pub fn accepts_html(headers: &HeaderMap) -> bool {
    accepted_ranges(headers).is_some_and(|ranges| ranges.iter().any(|r| r == "text/html"))
}

/// Whether the request body is declared as JSON (UTF-8).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (media, params) = essence(value);
    media == "application/json" && params.iter().all(|(k, v)| k != "charset" || v == "utf-8")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_graphql_media_type_wins_when_listed() {
        assert_eq!(
            negotiate(&accept(
                "application/json, application/graphql-response+json"
            )),
            Some(ResponseType::GraphqlResponse)
        );
    }

    #[test]
    fn a_browser_asks_for_html_and_a_client_does_not() {
        let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(accepts_html(&accept(browser)));
        assert!(!accepts_html(&accept("application/json, */*")));
        assert!(!accepts_html(&accept("text/html;q=0, application/json")));
        assert!(!accepts_html(&HeaderMap::new()));
    }

    #[test]
    fn an_event_stream_is_asked_for_by_name_only() {
        assert!(wants_event_stream(&accept("text/event-stream")));
        assert!(wants_event_stream(&accept(
            "application/json, text/event-stream;q=0.5"
        )));
        assert!(!wants_event_stream(&accept("text/event-stream;q=0")));
        assert!(!wants_event_stream(&accept("*/*")));
        assert!(!wants_event_stream(&HeaderMap::new()));
    }

    #[test]
    fn plain_json_and_wildcards_get_json() {
        assert_eq!(
            negotiate(&accept("application/json")),
            Some(ResponseType::Json)
        );
        assert_eq!(negotiate(&accept("*/*")), Some(ResponseType::Json));
        assert_eq!(negotiate(&HeaderMap::new()), Some(ResponseType::Json));
    }

    #[test]
    fn an_unacceptable_type_gets_nothing() {
        assert_eq!(negotiate(&accept("text/html")), None);
        assert_eq!(negotiate(&accept("application/json;q=0")), None);
    }
}
