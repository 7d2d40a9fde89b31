//! Two versions side by side (W3): paragraphs aligned by a line diff, and in a
//! changed pair of paragraphs the characters that differ marked (`<del>` on
//! the left, `<ins>` on the right). Chinese has no spaces, so the comparison
//! inside a paragraph is by character. Output is HTML-escaped.

use std::time::{Duration, Instant};

use serde::Serialize;
use similar::{Algorithm, ChangeTag, DiffTag, TextDiff};

/// How long one comparison may search for the smallest difference before it
/// settles for a larger one (still correct, only coarser).
const BUDGET: Duration = Duration::from_millis(200);

/// One row of the side-by-side view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Row {
    /// `same`, `changed`, `deleted` or `added`.
    pub kind: &'static str,
    /// The old paragraph, marked; empty when added.
    pub left: String,
    /// The new paragraph, marked; empty when deleted.
    pub right: String,
}

/// Totals for the heading.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Characters removed.
    pub deleted: usize,
    /// Characters added.
    pub added: usize,
    /// Paragraphs changed, added or deleted.
    pub paragraphs: usize,
}

/// Compares `old` and `new`.
pub fn compare(old: &str, new: &str) -> (Vec<Row>, Summary) {
    let deadline = Instant::now() + BUDGET;
    let old_lines: Vec<&str> = paragraphs(old);
    let new_lines: Vec<&str> = paragraphs(new);
    let lines = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .deadline(deadline)
        .diff_slices(&old_lines, &new_lines);
    let mut rows = Vec::new();
    let mut sum = Summary::default();
    for op in lines.ops() {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {
                for line in &old_lines[o] {
                    rows.push(Row { kind: "same", left: escape(line), right: escape(line) });
                }
            }
            DiffTag::Delete | DiffTag::Insert | DiffTag::Replace => {
                let (olds, news) = (&old_lines[o], &new_lines[n]);
                for i in 0..olds.len().max(news.len()) {
                    sum.paragraphs += 1;
                    match (olds.get(i), news.get(i)) {
                        (Some(a), Some(b)) => {
                            let (left, right, d, a_) = inline(a, b, deadline);
                            sum.deleted += d;
                            sum.added += a_;
                            rows.push(Row { kind: "changed", left, right });
                        }
                        (Some(a), None) => {
                            sum.deleted += a.chars().count();
                            rows.push(Row {
                                kind: "deleted",
                                left: format!("<del>{}</del>", escape(a)),
                                right: String::new(),
                            });
                        }
                        (None, Some(b)) => {
                            sum.added += b.chars().count();
                            rows.push(Row {
                                kind: "added",
                                left: String::new(),
                                right: format!("<ins>{}</ins>", escape(b)),
                            });
                        }
                        (None, None) => {}
                    }
                }
            }
        }
    }
    (rows, sum)
}

fn paragraphs(text: &str) -> Vec<&str> {
    text.lines().map(str::trim_end).collect()
}

/// Marks the characters that differ between two paragraphs.
fn inline(a: &str, b: &str, deadline: Instant) -> (String, String, usize, usize) {
    let d = TextDiff::configure().algorithm(Algorithm::Myers).deadline(deadline).diff_chars(a, b);
    let (mut left, mut right) = (String::new(), String::new());
    let (mut deleted, mut added) = (0, 0);
    let mut open: Option<ChangeTag> = None;
    let close = |open: &mut Option<ChangeTag>, left: &mut String, right: &mut String| match open.take() {
        Some(ChangeTag::Delete) => left.push_str("</del>"),
        Some(ChangeTag::Insert) => right.push_str("</ins>"),
        _ => {}
    };
    for change in d.iter_all_changes() {
        let tag = change.tag();
        let text = escape(change.value());
        if open != Some(tag) {
            close(&mut open, &mut left, &mut right);
            match tag {
                ChangeTag::Delete => left.push_str("<del>"),
                ChangeTag::Insert => right.push_str("<ins>"),
                ChangeTag::Equal => {}
            }
            if tag != ChangeTag::Equal {
                open = Some(tag);
            }
        }
        match tag {
            ChangeTag::Equal => {
                left.push_str(&text);
                right.push_str(&text);
            }
            ChangeTag::Delete => {
                deleted += change.value().chars().count();
                left.push_str(&text);
            }
            ChangeTag::Insert => {
                added += change.value().chars().count();
                right.push_str(&text);
            }
        }
    }
    close(&mut open, &mut left, &mut right);
    (left, right, deleted, added)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_word_is_marked_on_both_sides() {
        let (rows, sum) = compare("一、总体要求\n坚持问题导向。", "一、总体要求\n坚持目标导向。");
        assert_eq!(rows[0].kind, "same");
        assert_eq!(rows[1].kind, "changed");
        assert_eq!(rows[1].left, "坚持<del>问题</del>导向。");
        assert_eq!(rows[1].right, "坚持<ins>目标</ins>导向。");
        assert_eq!(sum, Summary { deleted: 2, added: 2, paragraphs: 1 });
    }

    #[test]
    fn added_and_deleted_paragraphs_stand_alone() {
        let (rows, sum) = compare("甲段\n乙段", "甲段\n乙段\n丙段新增");
        assert_eq!(
            rows.last().unwrap(),
            &Row { kind: "added", left: String::new(), right: "<ins>丙段新增</ins>".into() }
        );
        assert_eq!(sum.added, 4);
        let (rows, _) = compare("甲段\n删去的一段\n乙段", "甲段\n乙段");
        assert_eq!(rows[1].kind, "deleted");
        assert_eq!(rows[1].left, "<del>删去的一段</del>");
    }

    #[test]
    fn identical_texts_have_no_changes_and_markup_is_escaped() {
        let (rows, sum) = compare("<b>同</b>", "<b>同</b>");
        assert_eq!(sum, Summary::default());
        assert_eq!(rows[0].left, "&lt;b&gt;同&lt;/b&gt;");
    }
}
