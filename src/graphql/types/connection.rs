//! Relay connections: `edges { cursor node }`, `pageInfo`, and `totalCount` counted only when
//! selected.

use async_graphql::SimpleObject;

use crate::service::pagination::Page;

/// Where a page sits in its list.
#[derive(Debug, Clone, SimpleObject)]
pub struct PageInfo {
    /// More rows follow this page.
    pub has_next_page: bool,
    /// Rows precede this page.
    pub has_previous_page: bool,
    /// Cursor of the first row of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last row of the page.
    pub end_cursor: Option<String>,
}

impl PageInfo {
    /// The page info of a service page.
    pub fn of<M>(page: &Page<M>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            has_previous_page: page.has_previous_page,
            start_cursor: page.rows.first().map(|(cursor, _)| cursor.clone()),
            end_cursor: page.rows.last().map(|(cursor, _)| cursor.clone()),
        }
    }
}

/// Declares a connection type and its edge type for a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ident, $doc:literal) => {
        #[doc = $doc]
        pub struct $connection {
            edges: Vec<$edge>,
            page_info: $crate::graphql::types::connection::PageInfo,
            counter: $crate::service::pagination::Counter,
        }

        impl $connection {
            /// A connection over a service page, wrapping each row.
            pub fn new<M>(
                page: $crate::service::pagination::Page<M>,
                counter: $crate::service::pagination::Counter,
                wrap: impl Fn(M) -> $node,
            ) -> Self {
                let page_info = $crate::graphql::types::connection::PageInfo::of(&page);
                let edges = page
                    .rows
                    .into_iter()
                    .map(|(cursor, row)| $edge {
                        cursor,
                        node: wrap(row),
                    })
                    .collect();
                Self {
                    edges,
                    page_info,
                    counter,
                }
            }
        }

        #[doc = $doc]
        #[async_graphql::Object]
        impl $connection {
            /// The rows of this page, each with its cursor.
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            /// Where this page sits in the list.
            async fn page_info(&self) -> &$crate::graphql::types::connection::PageInfo {
                &self.page_info
            }
            /// How many rows the whole list has (all pages).
            async fn total_count(&self) -> async_graphql::Result<i32> {
                use $crate::graphql::errors::ApiResult;
                let total = self.counter.count().await.api()?;
                Ok($crate::graphql::scalars::int(total))
            }
        }

        #[doc = concat!("One row of a `", stringify!($connection), "`.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque position of this row, for `after` / `before`.
            pub cursor: String,
            /// The row.
            pub node: $node,
        }
    };
}

pub(crate) use connection;
