//! What a session sends, through a small bounded queue that one task writes to the socket: a
//! slow client makes the producers wait instead of growing memory. What is queued together is
//! written together: a burst of events costs the socket one flush, not one per message.

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

impl Outgoing {
    fn frame(self) -> Message {
        match self {
            Self::Text(text) => Message::Text(text.into()),
            Self::Ping => Message::Ping(Vec::new().into()),
            Self::Close(code, reason) => Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            })),
        }
    }
}

/// Starts the task that writes what is queued to `sink`, until a close or a failed write.
pub(super) fn write(
    mut sink: SplitSink<WebSocket, Message>,
) -> (mpsc::Sender<Outgoing>, JoinHandle<()>) {
    let (out, mut outgoing) = mpsc::channel::<Outgoing>(OUTGOING_BUFFER);
    let writer = tokio::spawn(async move {
        'writing: while let Some(first) = outgoing.recv().await {
            let mut next = Some(first);
            // Everything queued now goes out with one flush.
            while let Some(message) = next {
                let frame = message.frame();
                let closing = matches!(frame, Message::Close(_));
                if sink.feed(frame).await.is_err() || closing {
                    break 'writing;
                }
                next = outgoing.try_recv().ok();
            }
            if sink.flush().await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    (out, writer)
}
