//! Keyset pagination for every Relay connection: opaque cursors carrying the sort key and id,
//! stable order `(key, id)`, forward (`first`/`after`) and backward (`last`/`before`).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr};
use sea_orm::{
    Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait, Select, Statement, Value,
};
use serde::{Deserialize, Serialize};

use super::company::Reads;
use super::{ServiceError, ServiceResult};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// Largest `first` or `last`.
pub const MAX_PAGE_SIZE: u64 = 100;

/// A sort key value carried in a cursor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SortValue {
    /// A text key (a name).
    Text(String),
    /// A moment (to the millisecond, as stored).
    Time(DateTime<Utc>),
}

impl From<SortValue> for Value {
    fn from(value: SortValue) -> Self {
        match value {
            SortValue::Text(text) => text.into(),
            SortValue::Time(time) => time.into(),
        }
    }
}

/// A position in an ordered list: the ordering's name, the row's sort key and its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "o")]
    order: String,
    #[serde(rename = "k")]
    key: SortValue,
    #[serde(rename = "i")]
    id: i64,
}

impl Cursor {
    /// The opaque text form given to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str, expected_order: &str) -> ServiceResult<Self> {
        let cursor: Cursor = URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .ok_or_else(|| ServiceError::BadInput(format!("{text:?} is not a cursor")))?;
        if cursor.order != expected_order {
            return Err(ServiceError::BadInput(
                "this cursor belongs to another list or order".to_owned(),
            ));
        }
        Ok(cursor)
    }
}

/// The paging arguments of a connection field, as the client sent them.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Page forward: at most this many rows.
    pub first: Option<i32>,
    /// Rows after this cursor.
    pub after: Option<String>,
    /// Page backward: at most this many rows.
    pub last: Option<i32>,
    /// Rows before this cursor.
    pub before: Option<String>,
}

/// How a list is ordered: a key expression, the id column and the direction.
pub struct Ordering<M> {
    /// Name carried in cursors, so a cursor cannot be used with another ordering.
    pub name: String,
    /// The sort key.
    pub key: SimpleExpr,
    /// The row id, the tie-breaker.
    pub id: SimpleExpr,
    /// Largest key first.
    pub descending: bool,
    /// Reads the key and id of a row.
    pub key_of: fn(&M) -> (SortValue, i64),
}

/// One page of rows with their cursors.
#[derive(Debug, Clone)]
pub struct Page<M> {
    /// The rows, in list order, each with its cursor.
    pub rows: Vec<(String, M)>,
    /// More rows follow the last one.
    pub has_next_page: bool,
    /// Rows precede the first one.
    pub has_previous_page: bool,
}

fn page_size(value: Option<i32>, name: &str) -> ServiceResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE_SIZE as i32).contains(&n) => Ok(Some(n as u64)),
        Some(n) => Err(ServiceError::BadInput(format!(
            "{name} must be between 0 and {MAX_PAGE_SIZE}, not {n}"
        ))),
    }
}

/// Rows strictly beyond `cursor` in the direction given by `forward` (list order when true).
fn beyond<M>(ordering: &Ordering<M>, cursor: &Cursor, forward: bool) -> Condition {
    let greater = forward != ordering.descending;
    let key_value: Value = cursor.key.clone().into();
    let compare = |expr: SimpleExpr, value: Value| -> SimpleExpr {
        if greater {
            expr.gt(Expr::val(value))
        } else {
            expr.lt(Expr::val(value))
        }
    };
    Condition::any()
        .add(compare(ordering.key.clone(), key_value.clone()))
        .add(
            Condition::all()
                .add(ordering.key.clone().eq(Expr::val(key_value)))
                .add(compare(ordering.id.clone(), cursor.id.into())),
        )
}

/// Fetches one page of `select` (already filtered) in `ordering`.
pub async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    ordering: &Ordering<E::Model>,
    request: &PageRequest,
) -> ServiceResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let first = page_size(request.first, "first")?;
    let last = page_size(request.last, "last")?;
    if first.is_some() && last.is_some() {
        return Err(ServiceError::BadInput(
            "give first or last, not both".to_owned(),
        ));
    }
    let after = request
        .after
        .as_deref()
        .map(|c| Cursor::decode(c, &ordering.name))
        .transpose()?;
    let before = request
        .before
        .as_deref()
        .map(|c| Cursor::decode(c, &ordering.name))
        .transpose()?;
    let mut select = select;
    if let Some(cursor) = &after {
        select = select.filter(beyond(ordering, cursor, true));
    }
    if let Some(cursor) = &before {
        select = select.filter(beyond(ordering, cursor, false));
    }
    let backward = last.is_some();
    let limit = last.or(first).unwrap_or(DEFAULT_PAGE_SIZE);
    let reverse = backward != ordering.descending;
    let order = if reverse { Order::Desc } else { Order::Asc };
    let mut rows = select
        .order_by(ordering.key.clone(), order.clone())
        .order_by(ordering.id.clone(), order)
        .limit(limit + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if backward {
        rows.reverse();
    }
    let rows = rows
        .into_iter()
        .map(|row| {
            let (key, id) = (ordering.key_of)(&row);
            let cursor = Cursor {
                order: ordering.name.clone(),
                key,
                id,
            };
            (cursor.encode(), row)
        })
        .collect();
    Ok(Page {
        rows,
        has_next_page: if backward { before.is_some() } else { more },
        has_previous_page: if backward { more } else { after.is_some() },
    })
}

/// Counts a whole filtered list (ignoring paging) when asked, so a page whose client does not
/// select `totalCount` costs no count.
#[derive(Clone)]
pub struct Counter {
    db: Reads,
    statement: Statement,
}

impl Counter {
    /// A counter for the rows of `select`.
    pub fn new<E: EntityTrait>(db: &Reads, select: Select<E>) -> Self {
        let backend = db.get_database_backend();
        let inner = select.build(backend);
        let statement = Statement::from_sql_and_values(
            backend,
            format!("SELECT COUNT(*) AS total FROM ({}) AS listed", inner.sql),
            inner.values.map(|values| values.0).unwrap_or_default(),
        );
        Self {
            db: db.clone(),
            statement,
        }
    }

    /// The number of rows.
    pub async fn count(&self) -> ServiceResult<i64> {
        let row = self
            .db
            .query_one_raw(self.statement.clone())
            .await?
            .ok_or_else(|| ServiceError::Internal("COUNT returned no row".to_owned()))?;
        Ok(row.try_get::<i64>("", "total")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_opaque() {
        let cursor = Cursor {
            order: "contacts:NAME:ASC".into(),
            key: SortValue::Text("Ada".into()),
            id: 7,
        };
        let text = cursor.encode();
        assert!(!text.contains("Ada"));
        assert_eq!(Cursor::decode(&text, "contacts:NAME:ASC").unwrap(), cursor);
    }

    #[test]
    fn a_cursor_from_another_ordering_is_refused() {
        let cursor = Cursor {
            order: "contacts:NAME:ASC".into(),
            key: SortValue::Text("Ada".into()),
            id: 7,
        };
        assert!(Cursor::decode(&cursor.encode(), "contacts:NAME:DESC").is_err());
        assert!(Cursor::decode("garbage!", "contacts:NAME:ASC").is_err());
    }

    #[test]
    fn page_sizes_are_bounded() {
        assert_eq!(page_size(Some(100), "first").unwrap(), Some(100));
        assert!(page_size(Some(101), "first").is_err());
        assert!(page_size(Some(-1), "last").is_err());
    }
}
