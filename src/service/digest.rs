//! SHA-256 as lowercase hex: how refresh tokens are stored and persisted documents named.

use sha2::{Digest, Sha256};

/// The SHA-256 of `text`, as 64 lowercase hex digits.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_digest_of_the_empty_string_is_the_known_one() {
        assert_eq!(
            super::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
