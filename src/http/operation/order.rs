//! Puts a response's fields in the order the document selected them, as the GraphQL spec asks
//! ("ordered by the order in which they appear in the query"). async-graphql resolves sibling
//! fields concurrently and keeps them in the order they finished, so without this pass a page
//! could answer `pageInfo` before `totalCount` one time and after it the next.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value};

type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// What a response is put in order by: the operation's document and name.
#[derive(Clone)]
pub struct ResponseOrder {
    document: Arc<ExecutableDocument>,
    name: Option<String>,
}

impl ResponseOrder {
    /// The order of the operation `name` (needed when the document holds several).
    pub fn new(document: Arc<ExecutableDocument>, name: Option<String>) -> Self {
        Self { document, name }
    }

    /// Puts the response's data in this order.
    pub fn apply(&self, response: &mut async_graphql::Response) {
        as_selected(&mut response.data, &self.document, self.name.as_deref());
    }
}

/// Reorders `data`, the answer to the operation `name` of `document`.
pub fn as_selected(data: &mut Value, document: &ExecutableDocument, name: Option<&str>) {
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => match operations.get(name) {
            Some(operation) => operation,
            None => return,
        },
        (DocumentOperations::Multiple(_), None) => return,
    };
    reorder(
        vec![data],
        &[&operation.node.selection_set.node],
        &document.fragments,
    );
}

/// The response keys the selection sets ask for, in order, each with the sub-selections
/// merged under it (a key may be selected more than once, directly or through fragments).
fn keys<'a>(
    sets: &[&'a SelectionSet],
    fragments: &'a Fragments,
    into: &mut IndexMap<&'a str, Vec<&'a SelectionSet>>,
    nesting: usize,
) {
    // Fragment cycles are refused by the gate; the bound only keeps a bad document finite.
    if nesting > 64 {
        return;
    }
    for set in sets {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let key = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
                    into.entry(key).or_default().push(&field.selection_set.node);
                }
                Selection::InlineFragment(inline) => {
                    keys(
                        &[&inline.node.selection_set.node],
                        fragments,
                        into,
                        nesting + 1,
                    );
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) = fragments.get(&spread.node.fragment_name.node) {
                        keys(
                            &[&fragment.node.selection_set.node],
                            fragments,
                            into,
                            nesting + 1,
                        );
                    }
                }
            }
        }
    }
}

/// Reorders every object among `values` (lists are looked into) that answers `sets`: the
/// order is worked out once per level, not once per object, so a page of 100 rows costs one
/// walk of the document and one pass over the answer.
fn reorder(values: Vec<&mut Value>, sets: &[&SelectionSet], fragments: &Fragments) {
    let mut objects = Vec::new();
    let mut pending = values;
    while let Some(value) = pending.pop() {
        match value {
            Value::List(items) => pending.extend(items.iter_mut()),
            Value::Object(map) => objects.push(map),
            _ => {}
        }
    }
    if objects.is_empty() {
        return;
    }
    let mut order = IndexMap::new();
    keys(sets, fragments, &mut order, 0);
    for map in objects.iter_mut() {
        put_in_order(map, &order);
    }
    for (key, subsets) in &order {
        if subsets.iter().all(|set| set.items.is_empty()) {
            continue;
        }
        let children = objects
            .iter_mut()
            .filter_map(|map| map.get_mut(*key))
            .collect();
        reorder(children, subsets, fragments);
    }
}

/// Puts one object's keys in `order`, unless they already are.
fn put_in_order(map: &mut IndexMap<Name, Value>, order: &IndexMap<&str, Vec<&SelectionSet>>) {
    let in_order = map
        .keys()
        .map(Name::as_str)
        .eq(order.keys().copied().filter(|key| map.contains_key(*key)));
    if in_order {
        return;
    }
    // Keys the document does not name (none are expected) keep their place after the others.
    map.sort_by_cached_key(|key, _| order.get_index_of(key.as_str()).unwrap_or(usize::MAX));
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (Name::new(k), v.clone()))
                .collect(),
        )
    }

    fn keys_of(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn fields_follow_the_selection_through_aliases_fragments_and_lists() {
        let document = parse_query(
            "query Q { page { total: totalCount ...Info edges { node { ... on C { b } a } } } }
             fragment Info on Page { pageInfo { end hasNext } }",
        )
        .unwrap();
        let node = object(&[("a", Value::from(1)), ("b", Value::from(2))]);
        let mut data = object(&[(
            "page",
            object(&[
                (
                    "edges",
                    Value::List(vec![object(&[("node", node.clone())]); 2]),
                ),
                (
                    "pageInfo",
                    object(&[("hasNext", Value::from(true)), ("end", Value::from("c"))]),
                ),
                ("total", Value::from(2)),
            ]),
        )]);
        as_selected(&mut data, &document, Some("Q"));
        let Value::Object(root) = &data else { panic!() };
        let page = &root["page"];
        assert_eq!(keys_of(page), ["total", "pageInfo", "edges"]);
        let Value::Object(page) = page else { panic!() };
        assert_eq!(keys_of(&page["pageInfo"]), ["end", "hasNext"]);
        let Value::List(edges) = &page["edges"] else {
            panic!()
        };
        for edge in edges {
            let Value::Object(edge) = edge else { panic!() };
            assert_eq!(keys_of(&edge["node"]), ["b", "a"]);
        }
    }

    #[test]
    fn the_named_operation_of_several_is_the_one_followed() {
        let document = parse_query("query A { x y } query B { y x }").unwrap();
        let mut data = object(&[("x", Value::from(1)), ("y", Value::from(2))]);
        as_selected(&mut data, &document, Some("B"));
        assert_eq!(keys_of(&data), ["y", "x"]);
        as_selected(&mut data, &document, None);
        assert_eq!(
            keys_of(&data),
            ["y", "x"],
            "no operation chosen: left as it is"
        );
    }
}
