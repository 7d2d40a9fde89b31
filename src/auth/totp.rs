//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30-second steps), checked
//! against the platform clock so it is testable, with replay protection.

use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::clock::Ts;

/// Makes a new random 160-bit secret, base32-encoded.
pub fn new_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    Secret::from(bytes).to_base32()
}

fn totp(secret_b32: &str, issuer: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_b32).ok()?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_skew(1)
        .with_secret(secret)
        .with_issuer(Some(issuer))
        .with_account_name(account)
        .build()
        .ok()
}

/// The 30-second step a moment falls in.
pub fn step(at: Ts) -> i64 {
    at.0.div_euclid(30_000)
}

/// Checks `code` at `now`, allowing one step of clock drift either way. Returns
/// the step it matched, which must be later than the last one accepted
/// (`last_step`) so a code is never used twice.
pub fn check(secret_b32: &str, code: &str, now: Ts, last_step: Option<i64>) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = totp(secret_b32, "x", "x")?;
    let current = step(now);
    (current - 1..=current + 1).find(|s| {
        last_step.is_none_or(|last| *s > last)
            && u64::try_from(*s * 30).is_ok_and(|secs| t.generate(secs).to_string() == code)
    })
}

/// The code for `now` (tests and the command line's demo helper).
pub fn code_at(secret_b32: &str, now: Ts) -> Option<String> {
    let t = totp(secret_b32, "x", "x")?;
    u64::try_from(now.0 / 1000).ok().map(|secs| t.generate(secs).to_string())
}

/// The `otpauth://` URL an authenticator app scans.
pub fn otpauth_url(secret_b32: &str, issuer: &str, account: &str) -> Option<String> {
    totp(secret_b32, issuer, account).and_then(|t| t.to_url().ok())
}

/// The QR code of that URL as inline SVG (no script, no external request).
pub fn qr_svg(url: &str) -> Option<String> {
    let code = QrCode::new(url.as_bytes()).ok()?;
    Some(code.render::<svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // "12345678901234567890"

    #[test]
    fn codes_match_the_rfc_6238_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s → 94287082 (8 digits); 6 digits → 287082.
        assert_eq!(code_at(SECRET, Ts(59_000)).unwrap(), "287082");
    }

    #[test]
    fn a_code_is_accepted_once_within_one_step_of_drift() {
        let now = Ts(59_000);
        let code = code_at(SECRET, now).unwrap();
        let s = check(SECRET, &code, now, None).unwrap();
        assert_eq!(check(SECRET, &code, now, Some(s)), None, "replay refused");
        assert!(check(SECRET, &code, Ts(59_000 + 30_000), None).is_some(), "one step late is fine");
        assert_eq!(check(SECRET, &code, Ts(59_000 + 90_000), None), None, "three steps late is not");
        assert_eq!(check(SECRET, "12345", now, None), None);
        assert_eq!(check(SECRET, "abcdef", now, None), None);
    }

    #[test]
    fn the_enrolment_qr_is_svg() {
        let url = otpauth_url(SECRET, "政研平台", "wang").unwrap();
        assert!(url.starts_with("otpauth://totp/"));
        assert!(qr_svg(&url).unwrap().contains("<svg"));
    }
}
