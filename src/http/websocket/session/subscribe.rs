//! One operation's answers sent to the client: each as a `next` message, a refusal as one
//! `error`, then `complete`; the session is told when the operation ended.

use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::outgoing::Outgoing;
use crate::http::monitoring::metrics::{Metrics, Outcome};
use crate::http::operation::Answer;
use crate::http::websocket::protocol::{self, Protocol};

/// Where and how one operation's answers go.
pub(super) struct Sending {
    pub out: mpsc::Sender<Outgoing>,
    /// Told the operation's id when it ended.
    pub done: mpsc::Sender<String>,
    pub protocol: Protocol,
    pub operation_id: String,
    pub metrics: Arc<Metrics>,
}

/// Starts the task that sends `answers`.
pub(super) fn send_answers(
    answers: impl Stream<Item = Answer> + Send + 'static,
    sending: Sending,
) -> JoinHandle<()> {
    let Sending {
        out,
        done,
        protocol,
        operation_id,
        metrics,
    } = sending;
    tokio::spawn(async move {
        let _running = metrics.subscription_started();
        let mut answers = std::pin::pin!(answers);
        let mut first = true;
        while let Some(answer) = answers.next().await {
            let refused = std::mem::take(&mut first) && answer.outcome == Outcome::Refused;
            let message = if refused {
                let errors = answer
                    .errors()
                    .cloned()
                    .unwrap_or_else(|| Value::Array(vec![]));
                protocol::error(protocol, &operation_id, &errors)
            } else {
                protocol::next(protocol, &operation_id, &answer.to_json())
            };
            if out.send(Outgoing::Text(message)).await.is_err() {
                return;
            }
            if refused {
                let _ = done.send(operation_id).await;
                return;
            }
        }
        let _ = out
            .send(Outgoing::Text(protocol::complete(protocol, &operation_id)))
            .await;
        let _ = done.send(operation_id).await;
    })
}
