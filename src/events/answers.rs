//! One event as every subscriber of its company receives it, with the answers already made of
//! it: subscribers that ask the same (the same document and variables, read in the same
//! language) share one execution and one serialisation instead of one each. The first to ask
//! makes the answer while the others wait for it; an answer that turned out to use the caller
//! (their rights, their own companies) is kept for that caller only, and every other caller
//! makes their own.

use std::ops::Deref;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use super::LoadedEvent;

/// Different questions kept per event; more askers of others make their own answers.
const KEPT_PER_EVENT: usize = 16;
/// Callers' own answers kept per question.
const OWN_PER_QUESTION: usize = 64;

/// What an answer is made of: the operation (its document, operation name, variables and
/// languages) and the caller's own locale (names fall back to it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The operation, as a number to compare.
    pub document: u64,
    /// The caller's own locale.
    pub locale: String,
}

enum State {
    /// Someone is making it; their sender drops when they are done.
    Making(watch::Receiver<()>),
    /// Anyone of the company may have it.
    Shared(Arc<str>),
    /// It depends on the caller: each caller's own.
    Own(Vec<(i64, Arc<str>)>),
}

/// What a subscriber does about an event's answer.
pub enum Claim {
    /// Send this answer (JSON text) as it is.
    Kept(Arc<str>),
    /// Make the answer, and say how it went with [`Making::finish`].
    Make(Making),
    /// Someone else is making it: wait for this to change (or close), then claim again.
    Wait(watch::Receiver<()>),
}

/// An event handed out by a feed, with the answers made of it so far.
pub struct SharedEvent {
    loaded: LoadedEvent,
    answers: Mutex<Vec<(Question, State)>>,
}

impl std::fmt::Debug for SharedEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedEvent")
            .field("loaded", &self.loaded)
            .finish_non_exhaustive()
    }
}

impl SharedEvent {
    /// An event nobody answered yet.
    pub fn new(loaded: LoadedEvent) -> Self {
        Self {
            loaded,
            answers: Mutex::default(),
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Vec<(Question, State)>> {
        self.answers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// What `caller` asking `question` of this event does: take a kept answer, make it, or
    /// wait for whoever makes it.
    pub fn claim(self: &Arc<Self>, question: Question, caller: i64) -> Claim {
        let mut kept = self.kept();
        let making = |tracked: Tracked| Making {
            event: self.clone(),
            question: question.clone(),
            caller,
            tracked,
        };
        let Some((_, state)) = kept.iter().find(|(q, _)| *q == question) else {
            if kept.len() >= KEPT_PER_EVENT {
                return Claim::Make(making(Tracked::No));
            }
            let (sender, receiver) = watch::channel(());
            kept.push((question.clone(), State::Making(receiver)));
            return Claim::Make(making(Tracked::First(Some(sender))));
        };
        match state {
            State::Shared(answer) => Claim::Kept(answer.clone()),
            State::Making(receiver) => Claim::Wait(receiver.clone()),
            State::Own(answers) => match answers.iter().find(|(c, _)| *c == caller) {
                Some((_, answer)) => Claim::Kept(answer.clone()),
                None => Claim::Make(making(Tracked::Own)),
            },
        }
    }
}

enum Tracked {
    /// The first to ask: the others wait until this sender drops.
    First(Option<watch::Sender<()>>),
    /// A caller making their own, beside others'.
    Own,
    /// Too many questions of this event: not kept.
    No,
}

/// One subscriber making an event's answer; the others who asked the same wait until it is
/// finished or dropped (then one of them makes it).
pub struct Making {
    event: Arc<SharedEvent>,
    question: Question,
    caller: i64,
    tracked: Tracked,
}

impl Making {
    /// The answer made (none: it failed, and is not kept); `used_caller`: it depends on who
    /// the caller is.
    pub fn finish(mut self, answer: Option<Arc<str>>, used_caller: bool) {
        let mut kept = self.event.kept();
        let index = kept.iter().position(|(q, _)| *q == self.question);
        match (&self.tracked, index, answer) {
            (Tracked::First(_), Some(index), Some(answer)) => {
                kept[index].1 = if used_caller {
                    State::Own(vec![(self.caller, answer)])
                } else {
                    State::Shared(answer)
                };
            }
            (Tracked::First(_), Some(index), None) => {
                kept.remove(index);
            }
            (Tracked::Own, Some(index), Some(answer)) => {
                if let State::Own(answers) = &mut kept[index].1
                    && answers.len() < OWN_PER_QUESTION
                {
                    answers.push((self.caller, answer));
                }
            }
            _ => {}
        }
        drop(kept);
        // Done: whoever waits looks again.
        self.tracked = Tracked::No;
    }
}

impl Drop for Making {
    fn drop(&mut self) {
        if let Tracked::First(sender) = &mut self.tracked {
            // Given up before it was finished: forget the claim, so a waiter makes it.
            let mut kept = self.event.kept();
            if let Some(index) = kept
                .iter()
                .position(|(q, s)| *q == self.question && matches!(s, State::Making(_)))
            {
                kept.remove(index);
            }
            drop(kept);
            sender.take();
        }
    }
}

impl Deref for SharedEvent {
    type Target = LoadedEvent;

    fn deref(&self) -> &LoadedEvent {
        &self.loaded
    }
}
