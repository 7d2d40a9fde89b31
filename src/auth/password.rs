//! argon2id hashing, off the async threads (it is deliberately slow).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// Hashes a password as an argon2id PHC string.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// Hashes on the current thread (command line, demo set-up).
pub fn hash_now(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || verify_now(&password, &stored)).await.unwrap_or(false)
}

/// Checks on the current thread.
pub fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash of a random password, verified against when the username is unknown
/// so that unknown and known names take the same time. Made once, on first use.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let random: [u8; 16] = rand::random();
        hash_now(&hex::encode(random)).unwrap_or_default()
    });
    &DECOY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash_now("Zy@demo2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_now("Zy@demo2026", &h));
        assert!(!verify_now("zy@demo2026", &h));
        assert!(!verify_now("x", "not a hash"));
    }

    #[test]
    fn the_decoy_hash_parses_and_matches_nothing_common() {
        assert!(PasswordHash::new(decoy_hash()).is_ok());
        assert!(!verify_now("", decoy_hash()));
    }
}
