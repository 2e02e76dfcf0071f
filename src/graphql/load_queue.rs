//! Where a request's batch loads run: in the request's own task, right after each pass over its
//! resolvers. Every key the resolvers of one pass ask for (all the contacts of a page, say) is
//! then in one batch, with no timer to wait for; a loader spawned on another worker thread could
//! start before the pass ends and split the batch.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use tokio::sync::mpsc;

/// The batch loads a request's data loader has queued.
pub struct LoadQueue(mpsc::UnboundedReceiver<BoxFuture<'static, ()>>);

/// A spawner that queues loads, and the queue that runs them.
pub fn queue() -> (
    impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static,
    LoadQueue,
) {
    let (sender, receiver) = mpsc::unbounded_channel();
    let spawner = move |load| {
        let _ = sender.send(load);
    };
    (spawner, LoadQueue(receiver))
}

/// A waker that notes whether it was woken, and passes the wake on.
struct Noting {
    woken: AtomicBool,
    inner: Waker,
}

impl Wake for Noting {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.inner.wake_by_ref();
    }
}

/// How often a pass that keeps waking itself is repeated before its loads run anyway.
const MAX_REPEATS: usize = 1_000;

impl LoadQueue {
    /// Runs `work`, and its queued loads once a pass over it ends. A pass ends when `work`
    /// waits on something other than itself: futures-util's `FuturesUnordered` (which resolves
    /// a list's items) yields part-way through a long list by waking itself, and starting the
    /// loads there would split their batch.
    pub async fn drive<F: Future>(mut self, work: F) -> F::Output {
        let mut work = pin!(work);
        let mut running = FuturesUnordered::new();
        std::future::poll_fn(|cx| {
            loop {
                for _ in 0..MAX_REPEATS {
                    let noting = Arc::new(Noting {
                        woken: AtomicBool::new(false),
                        inner: cx.waker().clone(),
                    });
                    let waker = Waker::from(noting.clone());
                    let mut inner_cx = Context::from_waker(&waker);
                    if let Poll::Ready(output) = work.as_mut().poll(&mut inner_cx) {
                        return Poll::Ready(output);
                    }
                    if !noting.woken.load(Ordering::SeqCst) {
                        break;
                    }
                }
                while let Poll::Ready(Some(load)) = self.0.poll_recv(cx) {
                    running.push(load);
                }
                let mut finished_any = false;
                while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {
                    finished_any = true;
                }
                // A finished load may have answered `work`: poll it again at once.
                if !finished_any {
                    return Poll::Pending;
                }
            }
        })
        .await
    }

    /// Runs the queued loads in a task of their own, for long-lived streams.
    pub fn spawn(mut self) {
        tokio::spawn(async move {
            let mut running = FuturesUnordered::new();
            loop {
                tokio::select! {
                    load = self.0.recv() => match load {
                        Some(load) => running.push(load),
                        None => break,
                    },
                    Some(()) = running.next(), if !running.is_empty() => {}
                }
            }
            while running.next().await.is_some() {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn loads_queued_during_a_pass_run_after_it_in_the_same_task() {
        let (spawn, queue) = queue();
        let ran = Arc::new(AtomicUsize::new(0));
        let (done, finished) = tokio::sync::oneshot::channel();
        let counter = ran.clone();
        let work = async move {
            spawn(Box::pin(async move {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = done.send(7);
            }));
            finished.await.unwrap()
        };
        assert_eq!(queue.drive(work).await, 7);
        assert_eq!(ran.load(Ordering::SeqCst), 1);
    }
}
