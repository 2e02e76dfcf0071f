//! What a session sends, through a small bounded queue that one task writes to the socket: a
//! slow client makes the producers wait instead of growing memory.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::SinkExt;
use futures_util::stream::SplitSink;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Messages queued for a slow client before producers wait.
const OUTGOING_BUFFER: usize = 16;

/// A message for the client.
pub(super) enum Outgoing {
    Text(String),
    /// A WebSocket-level ping: every client library answers it, even an idle legacy one.
    Ping,
    Close(u16, String),
}

/// Starts the task that writes what is queued to `sink`, until a close or a failed write.
pub(super) fn write(
    mut sink: SplitSink<WebSocket, Message>,
) -> (mpsc::Sender<Outgoing>, JoinHandle<()>) {
    let (out, mut outgoing) = mpsc::channel::<Outgoing>(OUTGOING_BUFFER);
    let writer = tokio::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            let frame = match message {
                Outgoing::Text(text) => Message::Text(text.into()),
                Outgoing::Ping => Message::Ping(Vec::new().into()),
                Outgoing::Close(code, reason) => Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                })),
            };
            let closing = matches!(frame, Message::Close(_));
            if sink.send(frame).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    (out, writer)
}
