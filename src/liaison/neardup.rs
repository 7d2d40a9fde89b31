//! Near-duplicate submissions (「可能重复」): the same complaint sent again,
//! word for word or lightly edited (words changed, added or cut).
//!
//! A text becomes the set of its character 3-grams after punctuation and
//! spaces are removed (Chinese needs no segmentation for this, and 3-grams
//! survive small edits). A MinHash signature of 64 values estimates the
//! Jaccard similarity of two sets; its 16 bands of 4 values are the keys a
//! store can index, so candidates are found by equality lookups against all
//! history (two texts above ~0.5 similarity share a band with high
//! probability) and then confirmed by the estimate. Pure and deterministic:
//! the same text gives the same signature on every node.

/// Values in a signature.
pub const HASHES: usize = 64;
/// Bands (store keys) per signature.
pub const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;

/// Similarity at or above which two texts are shown as possible duplicates.
pub const THRESHOLD: f32 = 0.5;

/// A text's MinHash signature.
pub type Signature = [u32; HASHES];

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser.
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The characters that carry meaning: letters, digits and CJK; lower case.
fn normalised(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The hashes of a text's character 3-grams (a short text: its whole self).
fn shingles(text: &str) -> Vec<u64> {
    let chars = normalised(text);
    let hash = |cs: &[char]| cs.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, c| mix(h ^ u64::from(*c)));
    if chars.len() < 3 {
        return if chars.is_empty() { Vec::new() } else { vec![hash(&chars)] };
    }
    let mut out: Vec<u64> = chars.windows(3).map(hash).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The MinHash signature of a text.
pub fn signature(text: &str) -> Signature {
    let sh = shingles(text);
    let mut sig = [u32::MAX; HASHES];
    for (i, slot) in sig.iter_mut().enumerate() {
        let seed = mix(i as u64 + 1);
        if let Some(m) = sh.iter().map(|h| (mix(h ^ seed) >> 32) as u32).min() {
            *slot = m;
        }
    }
    sig
}

/// The band keys of a signature (band number folded in, so keys of different bands never meet).
pub fn bands(sig: &Signature) -> [i64; BANDS] {
    let mut out = [0i64; BANDS];
    for (b, key) in out.iter_mut().enumerate() {
        let h =
            sig[b * ROWS..(b + 1) * ROWS].iter().fold(mix(b as u64 + 0x51), |h, v| mix(h ^ u64::from(*v)));
        // Stored as a signed 64-bit column on both databases.
        *key = h as i64;
    }
    out
}

/// Estimated Jaccard similarity of the two texts behind the signatures.
pub fn similarity(a: &Signature, b: &Signature) -> f32 {
    if a.iter().all(|v| *v == u32::MAX) || b.iter().all(|v| *v == u32::MAX) {
        return 0.0;
    }
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / HASHES as f32
}

/// Whether two signatures share a band (a candidate pair).
pub fn share_a_band(a: &Signature, b: &Signature) -> bool {
    bands(a).iter().zip(bands(b).iter()).any(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGINAL: &str = "我们小区东门外的路灯已经坏了半个多月，晚上居民出行很不方便，老人和孩子经过时容易摔倒，\
                            希望有关部门尽快派人维修，并定期检查小区周边的照明设施。";

    #[test]
    fn an_exact_repeat_is_the_same_text() {
        let a = signature(ORIGINAL);
        assert_eq!(similarity(&a, &signature(ORIGINAL)), 1.0);
        // Spaces and punctuation do not make it different.
        let b = signature(&ORIGINAL.replace('，', " , ").replace('。', "!"));
        assert_eq!(similarity(&a, &b), 1.0);
    }

    #[test]
    fn lightly_edited_repeats_are_near_duplicates() {
        let a = signature(ORIGINAL);
        let edits = [
            // words changed
            ORIGINAL.replace("半个多月", "二十多天").replace("尽快", "马上"),
            // a sentence added
            format!("{ORIGINAL}上次反映过一次，至今没有回复。"),
            // a clause cut
            ORIGINAL.replace("老人和孩子经过时容易摔倒，", ""),
        ];
        for e in &edits {
            let s = similarity(&a, &signature(e));
            assert!(s >= THRESHOLD, "{s}: {e}");
            assert!(share_a_band(&a, &signature(e)), "found by the band lookup: {e}");
        }
    }

    #[test]
    fn different_complaints_on_the_same_subject_are_not() {
        let a = signature(ORIGINAL);
        let others = [
            "村里主干道的路灯晚上不亮，已经向村委会反映过，请镇里协调电力部门更换灯泡。",
            "小区东门外的垃圾桶长期无人清理，夏天气味难闻，蚊蝇很多，请环卫部门及时清运。",
            "希望在学校门口增设红绿灯和减速带，上下学时段车辆太多，学生过马路很危险。",
        ];
        for o in others {
            let s = similarity(&a, &signature(o));
            assert!(s < THRESHOLD, "{s}: {o}");
        }
    }

    #[test]
    fn signatures_are_stable_and_empty_text_matches_nothing() {
        assert_eq!(signature("路灯不亮"), signature("路灯不亮"));
        assert_eq!(bands(&signature("路灯不亮")), bands(&signature("路灯不亮")));
        assert_eq!(similarity(&signature(""), &signature("")), 0.0);
        assert_eq!(similarity(&signature("灯"), &signature("灯")), 1.0);
    }
}
