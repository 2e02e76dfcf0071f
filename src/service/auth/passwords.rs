//! Password hashing on a fixed set of worker threads, as many as the machine has cores. Each
//! worker keeps its own argon2 memory (19 MiB with the default parameters) and reuses it for
//! every check, so however many sign-ins arrive at once, hashing holds that much memory per
//! worker and no more; the others wait in line.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

use crate::service::{ServiceError, ServiceResult};

/// What a worker is asked to do.
enum Job {
    /// Check a password against a stored hash.
    Verify {
        password: String,
        stored: String,
        answer: oneshot::Sender<bool>,
    },
    /// Hash a new password.
    Hash {
        password: String,
        answer: oneshot::Sender<ServiceResult<String>>,
    },
}

/// The workers, fed through one queue.
pub struct Passwords {
    queue: Mutex<mpsc::Sender<Job>>,
}

/// Hashes a password with argon2id (default parameters) and a random salt.
pub fn hash_now(password: &str) -> ServiceResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| ServiceError::Internal(format!("cannot hash password: {error}")))
}

/// Whether `password` matches the PHC string `stored`, hashed in `memory` (grown as needed).
fn matches(password: &str, stored: &str, memory: &mut Vec<Block>) -> bool {
    let mut check = || -> Option<bool> {
        let hash = PasswordHash::new(stored).ok()?;
        let algorithm = Algorithm::try_from(hash.algorithm).ok()?;
        let version = match hash.version {
            Some(version) => Version::try_from(version).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&hash).ok()?;
        let expected = hash.hash?;
        let mut salt = [0u8; 64];
        let salt = hash.salt?.decode_b64(&mut salt).ok()?;
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let argon2 = Argon2::new(algorithm, version, params);
        let mut computed = vec![0u8; expected.len()];
        argon2
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut computed,
                &mut memory[..blocks],
            )
            .ok()?;
        // `Output` compares in constant time.
        Some(Output::new(&computed).ok()? == expected)
    };
    check().unwrap_or(false)
}

fn work(queue: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut memory = Vec::new();
    loop {
        let job = {
            let Ok(receiver) = queue.lock() else { return };
            match receiver.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        match job {
            Job::Verify {
                password,
                stored,
                answer,
            } => {
                let _ = answer.send(matches(&password, &stored, &mut memory));
            }
            Job::Hash { password, answer } => {
                let _ = answer.send(hash_now(&password));
            }
        }
    }
}

impl Passwords {
    /// `workers` hashing threads (at least one).
    pub fn new(workers: usize) -> Self {
        let (sender, receiver) = mpsc::channel();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..workers.max(1) {
            let receiver = receiver.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || work(receiver));
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password worker");
            }
        }
        Self {
            queue: Mutex::new(sender),
        }
    }

    /// As many workers as the machine has cores.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, usize::from))
    }

    fn send(&self, job: Job) -> ServiceResult<()> {
        let queue = self
            .queue
            .lock()
            .map_err(|_| ServiceError::Internal("the password queue is poisoned".into()))?;
        queue
            .send(job)
            .map_err(|_| ServiceError::Internal("no password worker is running".into()))
    }

    /// Whether `password` matches the stored hash; waits its turn for a worker.
    pub async fn verify(&self, password: &str, stored: &str) -> ServiceResult<bool> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Verify {
            password: password.to_owned(),
            stored: stored.to_owned(),
            answer,
        })?;
        answered
            .await
            .map_err(|_| ServiceError::Internal("a password worker stopped".into()))
    }

    /// A new hash of `password`; waits its turn for a worker.
    pub async fn hash(&self, password: &str) -> ServiceResult<String> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Hash {
            password: password.to_owned(),
            answer,
        })?;
        answered
            .await
            .map_err(|_| ServiceError::Internal("a password worker stopped".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_matches_its_own_hash_only() {
        let passwords = Passwords::new(2);
        let stored = passwords.hash("demo").await.unwrap();
        assert!(passwords.verify("demo", &stored).await.unwrap());
        assert!(!passwords.verify("Demo", &stored).await.unwrap());
        assert!(!passwords.verify("demo", "not a hash").await.unwrap());
    }

    #[test]
    fn the_reused_memory_checks_hashes_of_other_parameters_too() {
        let mut memory = Vec::new();
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(1024, 2, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let stored = light.hash_password(b"secret", &salt).unwrap().to_string();
        assert!(matches("secret", &stored, &mut memory));
        assert_eq!(memory.len(), 1024);
        let default = hash_now("other").unwrap();
        assert!(matches("other", &default, &mut memory));
        assert!(!matches("secret", &default, &mut memory));
    }
}
