//! Snippets: a window of the text around the first hit, with every query word
//! marked. Works on the stored plain text, so both databases give the same
//! snippet; the output is HTML-escaped except for the `<mark>` tags.

/// Characters shown around the first hit.
const WINDOW: usize = 110;

/// Marks the words in `text` (all of it), escaped for HTML.
pub fn mark(text: &str, words: &[String]) -> String {
    let chars: Vec<char> = text.chars().collect();
    mark_chars(&chars, 0, chars.len(), words)
}

/// A window of `text` around the first hit with the words marked, escaped for
/// HTML; the text's beginning when no word occurs.
pub fn snippet(text: &str, words: &[String]) -> String {
    let chars: Vec<char> = text.chars().map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_ascii_lowercase()).collect();
    let first =
        words.iter().filter_map(|w| find(&lower, 0, &w.chars().collect::<Vec<_>>())).min().unwrap_or(0);
    let start = first.saturating_sub(WINDOW / 4);
    let end = (start + WINDOW).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&mark_chars(&chars, start, end, words));
    if end < chars.len() {
        out.push('…');
    }
    out
}

fn find(hay: &[char], from: usize, needle: &[char]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

fn mark_chars(chars: &[char], start: usize, end: usize, words: &[String]) -> String {
    let mut needles: Vec<Vec<char>> =
        words.iter().map(|w| w.chars().collect::<Vec<_>>()).filter(|w| !w.is_empty()).collect();
    // Longest first, so "营商环境" is marked whole rather than as "营商".
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    let lower: Vec<char> = chars[start..end].iter().map(|c| c.to_ascii_lowercase()).collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lower.len() {
        match needles.iter().find(|n| lower[i..].starts_with(n)) {
            Some(n) => {
                out.push_str("<mark>");
                escape_into(&chars[start + i..start + i + n.len()], &mut out);
                out.push_str("</mark>");
                i += n.len();
            }
            None => {
                escape_into(&chars[start + i..start + i + 1], &mut out);
                i += 1;
            }
        }
    }
    out
}

fn escape_into(chars: &[char], out: &mut String) {
    for c in chars {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(*c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_longest_word_is_marked_whole_and_markup_is_escaped() {
        assert_eq!(
            mark("<b>营商环境</b>与营商", &w(&["营商", "营商环境"])),
            "&lt;b&gt;<mark>营商环境</mark>&lt;/b&gt;与<mark>营商</mark>"
        );
    }

    #[test]
    fn the_window_opens_near_the_first_hit() {
        let text = format!("{}优化营商环境{}", "甲".repeat(300), "乙".repeat(300));
        let s = snippet(&text, &w(&["营商环境"]));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>营商环境</mark>"), "{s}");
        assert!(s.chars().count() < 160);
    }

    #[test]
    fn latin_words_match_without_regard_to_case() {
        assert_eq!(mark("GDP增长", &w(&["gdp"])), "<mark>GDP</mark>增长");
    }

    #[test]
    fn no_hit_gives_the_beginning() {
        assert_eq!(snippet("短文", &w(&["没有"])), "短文");
    }
}
