//! What a document expands to once every fragment spread is replaced by its fragment: the
//! number of selections, aliases and directives, and the deepest field nesting. Each fragment
//! is measured once (memoised, in an explicit post-order walk that needs no deep recursion), so
//! a document whose fragments each spread the next ten times is measured in microseconds even
//! though it would expand to billions of selections.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// The size of an expanded document (saturating: it never overflows).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Expansion {
    /// Fields selected, counting every expansion of every fragment.
    pub selections: u64,
    /// Fields selected under an alias.
    pub aliases: u64,
    /// Directives applied.
    pub directives: u64,
    /// Deepest nesting of fields, not counting those under `__schema` or `__type`: the standard
    /// introspection query nests type references deeper than any query of the contract, and is
    /// bounded by the introspection limits and the lexical nesting cap instead.
    pub depth: u64,
    /// Fields `__schema` and `__type` selected.
    pub introspection_roots: u64,
    /// Deepest nesting of introspection's list fields (`types`, `fields`, `args`…), whose
    /// answers multiply with each level.
    pub introspection_lists: u64,
    /// Whether some fragment spreads itself, directly or through others (never valid, and
    /// async-graphql's own checks would walk such a cycle exponentially).
    pub cycle: bool,
}

/// Introspection's list fields. The contactflow schema has no field of these names (a test of
/// the schema keeps it so), so a name is enough to know one.
pub const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "fields",
    "args",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "inputFields",
    "directives",
];

/// Where a selection set sits: how many fields and introspection lists are above it, and
/// whether it is inside introspection.
#[derive(Debug, Clone, Copy, Default)]
struct Level {
    fields: u64,
    lists: u64,
    introspection: bool,
}

impl Expansion {
    fn include(&mut self, other: &Expansion, at: Level) {
        self.selections = self.selections.saturating_add(other.selections);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.directives = self.directives.saturating_add(other.directives);
        self.introspection_roots = self
            .introspection_roots
            .saturating_add(other.introspection_roots);
        if other.depth > 0 && !at.introspection {
            self.depth = self.depth.max(other.depth.saturating_add(at.fields));
        }
        if other.introspection_lists > 0 {
            self.introspection_lists = self
                .introspection_lists
                .max(other.introspection_lists.saturating_add(at.lists));
        }
    }
}

/// One selection set measured on its own, with the fragments it spreads (and at which field
/// depth) still to be added.
#[derive(Default)]
struct Local<'a> {
    own: Expansion,
    spreads: Vec<(&'a str, Level)>,
}

impl<'a> Local<'a> {
    fn collect(&mut self, set: &'a SelectionSet, level: Level) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    self.own.selections = self.own.selections.saturating_add(1);
                    self.own.aliases += u64::from(field.alias.is_some());
                    self.own.directives += field.directives.len() as u64;
                    let root = matches!(name, "__schema" | "__type");
                    self.own.introspection_roots += u64::from(root);
                    let mut inner = Level {
                        fields: level.fields + 1,
                        lists: level.lists,
                        introspection: level.introspection || root,
                    };
                    if INTROSPECTION_LISTS.contains(&name) {
                        inner.lists += 1;
                        self.own.introspection_lists =
                            self.own.introspection_lists.max(inner.lists);
                    }
                    if !level.introspection {
                        self.own.depth = self.own.depth.max(inner.fields);
                    }
                    self.collect(&field.selection_set.node, inner);
                }
                Selection::InlineFragment(fragment) => {
                    self.own.directives += fragment.node.directives.len() as u64;
                    self.collect(&fragment.node.selection_set.node, level);
                }
                Selection::FragmentSpread(spread) => {
                    self.own.directives += spread.node.directives.len() as u64;
                    self.spreads
                        .push((spread.node.fragment_name.node.as_str(), level));
                }
            }
        }
    }

    /// This set's size with the fragments it spreads; a fragment not yet measured (unknown, or
    /// part of a cycle, which validation refuses) counts as nothing.
    fn total(&self, measured: &HashMap<&str, Expansion>) -> Expansion {
        let mut total = self.own;
        for (name, at) in &self.spreads {
            if let Some(fragment) = measured.get(name) {
                total.include(fragment, *at);
            }
        }
        total
    }
}

/// Measures every operation of `document` with its fragments expanded.
pub fn measure(document: &ExecutableDocument) -> Expansion {
    let fragments: HashMap<&str, Local> = document
        .fragments
        .iter()
        .map(|(name, fragment)| {
            let mut local = Local::default();
            local.own.directives = fragment.node.directives.len() as u64;
            local.collect(&fragment.node.selection_set.node, Level::default());
            (name.as_str(), local)
        })
        .collect();
    let mut measured = HashMap::with_capacity(fragments.len());
    let mut cycle = false;
    for name in fragments.keys() {
        cycle |= measure_fragment(name, &fragments, &mut measured);
    }
    let mut total = Expansion {
        cycle,
        ..Expansion::default()
    };
    for (_, operation) in document.operations.iter() {
        let mut local = Local::default();
        local.own.directives = operation.node.directives.len() as u64;
        local.collect(&operation.node.selection_set.node, Level::default());
        total.include(&local.total(&measured), Level::default());
    }
    total
}

/// Measures `root` and every fragment it reaches, children first, with an explicit stack;
/// whether it met a cycle.
fn measure_fragment<'a>(
    root: &'a str,
    fragments: &HashMap<&'a str, Local<'a>>,
    measured: &mut HashMap<&'a str, Expansion>,
) -> bool {
    let mut cycle = false;
    if measured.contains_key(root) {
        return cycle;
    }
    let mut on_path = HashSet::from([root]);
    let mut stack = vec![(root, 0usize)];
    while let Some(&mut (name, ref mut next)) = stack.last_mut() {
        let local = &fragments[name];
        if let Some(&(child, _)) = local.spreads.get(*next) {
            *next += 1;
            cycle |= on_path.contains(child);
            let pending = fragments.contains_key(child)
                && !measured.contains_key(child)
                && !on_path.contains(child);
            if pending {
                on_path.insert(child);
                stack.push((child, 0));
            }
        } else {
            measured.insert(name, local.total(measured));
            on_path.remove(name);
            stack.pop();
        }
    }
    cycle
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(query: &str) -> Expansion {
        measure(&async_graphql::parser::parse_query(query).unwrap())
    }

    #[test]
    fn plain_fields_aliases_and_directives_are_counted() {
        let found = expand("{ a b: c @include(if: true) d { e { f } } }");
        assert_eq!(
            found,
            Expansion {
                selections: 5,
                aliases: 1,
                directives: 1,
                depth: 3,
                ..Expansion::default()
            }
        );
    }

    #[test]
    fn each_spread_counts_its_fragment_again_at_its_own_depth() {
        let found = expand("{ a { ...F } b { c { ...F } } ...F } fragment F on T { x { y } }");
        assert_eq!(found.selections, 3 + 3 * 2);
        assert_eq!(found.depth, 4);
    }

    #[test]
    fn a_fragment_fan_out_is_measured_without_expanding_it() {
        let mut query = String::from("{ ...F0 }");
        for level in 0..12 {
            let spreads = format!("...F{} ", level + 1).repeat(10);
            query.push_str(&format!(" fragment F{level} on Query {{ {spreads} }}"));
        }
        query.push_str(" fragment F12 on Query { __typename }");
        assert_eq!(expand(&query).selections, 10u64.pow(12));
    }

    #[test]
    fn fragment_cycles_and_unknown_fragments_count_as_nothing() {
        let found =
            expand("{ a ...F ...G } fragment F on T { b ...F2 } fragment F2 on T { c ...F }");
        // Which member of the cycle is cut depends on the order of the walk; either way it ends.
        assert!((2..=3).contains(&found.selections), "{found:?}");
        assert!(found.cycle);
        assert!(expand("{ ...A } fragment A on Q { a ...A }").cycle);
        assert!(!expand("{ ...A ...A } fragment A on Q { a ...B } fragment B on Q { b }").cycle);
    }

    #[test]
    fn introspection_lists_nest_through_fragments() {
        let found = expand(
            "{ __schema { types { ...T } } a: __type(name: \"Q\") { name } } fragment T on __Type { fields { args { name } } }",
        );
        assert_eq!(found.introspection_roots, 2);
        assert_eq!(found.introspection_lists, 3);
    }

    #[test]
    fn fields_under_introspection_do_not_count_towards_depth() {
        let type_ref = "ofType { ".repeat(10) + "name" + &" }".repeat(10);
        let found = expand(&format!(
            "{{ __schema {{ types {{ ...T }} }} a {{ b {{ c }} }} }} \
             fragment T on __Type {{ fields {{ type {{ {type_ref} }} }} }}"
        ));
        assert_eq!(found.depth, 3, "only a, b and c count");
        let found = expand(&format!("{{ __type(name: \"Q\") {{ {type_ref} }} }}"));
        assert_eq!(found.depth, 1, "the root field itself counts");
    }

    #[test]
    fn a_long_chain_of_fragments_needs_no_deep_recursion() {
        let mut query = String::from("{ ...F0 }");
        for n in 0..20_000 {
            query.push_str(&format!(" fragment F{n} on Q {{ a ...F{} }}", n + 1));
        }
        query.push_str(" fragment F20000 on Q { a }");
        assert_eq!(expand(&query).selections, 20_001);
    }
}
