//! Import of the office's earlier submissions (L2) from an xlsx ledger or a
//! csv file: columns 标题, 内容, 类别, 时间, 联系点, matched tolerantly (其他
//! common header names, spaces, stars and brackets ignored). Every row is
//! checked first; one wrong row means nothing is written and each error is
//! listed by row and column. Imported rows are analysed like live ones
//! (keywords, suggestion, risk words, near-duplicates among themselves and all
//! history) and stored as 已存档: counted in volumes, hot topics and the
//! learned model, never in the loop's rates.

use std::collections::HashMap;

use time::{Date, PrimitiveDateTime, Time};

use super::analysis::Analyzer;
use super::flow::State;
use super::submit::Submission;
use super::write::{self, Ready};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::clock::Ts;
use crate::error::AppResult;
use crate::reform::ledger::{RowError, Sheet, normalize_header, read_sheet};

/// Rows one file may carry (larger ledgers are imported in parts).
pub const MAX_ROWS: usize = 20_000;

/// The columns and the header names each is known by.
const COLUMNS: &[(&str, &[&str])] = &[
    ("标题", &["标题", "题目", "问题标题", "事项标题", "主题", "title", "subject"]),
    (
        "内容",
        &[
            "内容",
            "问题内容",
            "反映内容",
            "诉求内容",
            "具体内容",
            "问题描述",
            "正文",
            "content",
            "body",
            "description",
        ],
    ),
    ("类别", &["类别", "分类", "问题类别", "问题分类", "诉求类别", "类型", "category", "label", "class"]),
    ("时间", &["时间", "报送时间", "反映时间", "提交时间", "日期", "报送日期", "time", "date"]),
    ("联系点", &["联系点", "联系点名称", "报送联系点", "报送单位", "来源", "point"]),
];

/// What an import did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Imported {
    /// Cases written.
    pub rows: usize,
    /// Of those, found to repeat an earlier submission.
    pub duplicates: usize,
}

/// Reads csv bytes (UTF-8 with or without BOM, or GB18030 as Excel saves it
/// on Chinese Windows) into sheet rows numbered from 1.
pub fn read_csv(bytes: &[u8]) -> Result<Sheet, RowError> {
    let file = |m: &str| RowError { row: None, column: String::new(), message: m.to_string() };
    if bytes.is_empty() {
        return Err(file("文件是空的，请选择要导入的文件"));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(file("无法识别文件编码，请另存为UTF-8或GBK编码的CSV"));
            }
            t.into_owned()
        }
    };
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|_| RowError {
            row: Some(i + 1),
            column: String::new(),
            message: "这一行无法读取（引号不成对？）".into(),
        })?;
        out.push((i + 1, rec.iter().map(|s| s.trim().to_string()).collect()));
    }
    Ok(out)
}

/// A submission time as ledgers write it: a date (`2024-03-05`, `2024/3/5`,
/// `2024年3月5日`, `2024.3.5`) with an optional time of day (`14:30`,
/// `14:30:15`), or an Excel day number. A date alone means 09:00.
pub fn parse_time(raw: &str) -> Option<PrimitiveDateTime> {
    let raw = raw.trim();
    if let Ok(serial) = raw.parse::<f64>() {
        // Excel's day numbers (1900 date system); 20000 is 1954, 80000 is 2119.
        if (20_000.0..80_000.0).contains(&serial) {
            let base = time::macros::datetime!(1899-12-30 00:00);
            let secs = (serial * 86_400.0).round() as i64;
            return base.checked_add(time::Duration::seconds(secs));
        }
        return None;
    }
    let (day, clock) = match raw.split_once([' ', 'T']) {
        Some((d, t)) => (d, t.trim()),
        None => (raw, ""),
    };
    let date: Date = crate::validate::date(day).ok()?;
    let time = if clock.is_empty() {
        Time::from_hms(9, 0, 0).ok()?
    } else {
        let mut parts = clock.split(':').map(|p| p.trim().parse::<u8>());
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Ok(h)), Some(Ok(m)), None, None) => Time::from_hms(h, m, 0).ok()?,
            (Some(Ok(h)), Some(Ok(m)), Some(Ok(s)), None) => Time::from_hms(h, m, s).ok()?,
            _ => return None,
        }
    };
    Some(PrimitiveDateTime::new(date, time))
}

/// A header as compared: notes in brackets (“内容（必填）”), stars, spaces and case dropped.
fn header_key(raw: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in raw.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    normalize_header(&out).to_lowercase()
}

/// Finds the header row among the first ten rows: the one naming 内容. Gives
/// its index and the column of each name of [`COLUMNS`] found in it.
pub(super) fn header(sheet: &Sheet) -> Option<(usize, HashMap<&'static str, usize>)> {
    sheet.iter().take(10).enumerate().find_map(|(i, (_, cells))| {
        let mut cols: HashMap<&str, usize> = HashMap::new();
        for (j, cell) in cells.iter().enumerate() {
            let h = header_key(cell);
            if let Some((name, _)) = COLUMNS.iter().find(|(_, alts)| alts.contains(&h.as_str())) {
                cols.entry(name).or_insert(j);
            }
        }
        cols.contains_key("内容").then_some((i, cols))
    })
}

/// A title for a row without one: the content's first sentence, cut at 30 characters.
fn title_from(content: &str) -> String {
    let first =
        content.split(['。', '！', '？', '\n', '；']).map(str::trim).find(|s| !s.is_empty()).unwrap_or("");
    if first.chars().count() > 30 {
        format!("{}…", first.chars().take(30).collect::<String>())
    } else {
        first.to_string()
    }
}

/// Imports earlier submissions from xlsx or csv bytes, all or nothing.
pub async fn import(c: &Caller<'_>, bytes: &[u8]) -> AppResult<Result<Imported, Vec<RowError>>> {
    c.who.require(Module::Liaison, Action::Approve)?;
    let whole = |m: String| vec![RowError { row: None, column: String::new(), message: m }];
    let sheet = if bytes.starts_with(b"PK\x03\x04") { read_sheet(bytes) } else { read_csv(bytes) };
    let sheet = match sheet {
        Ok(s) => s,
        Err(e) => return Ok(Err(vec![e])),
    };
    let Some((header_at, cols)) = header(&sheet) else {
        return Ok(Err(whole("找不到表头：前十行中没有“内容”列".into())));
    };
    for need in ["时间", "联系点"] {
        if !cols.contains_key(need) {
            return Ok(Err(whole(format!("缺少“{need}”列"))));
        }
    }
    let db = &c.state.db;
    let points: Vec<(i64, String, String)> = db
        .all(crate::db::Query::new(
            "select u.id, u.name, u.path from liaison_points p join units u on u.id = p.unit_id \
             where u.status = 'active'",
        ))
        .await?;
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in points.iter().enumerate() {
        by_name.entry(p.1.as_str()).or_default().push(i);
        if let Some(short) = p.1.strip_suffix("联系点") {
            by_name.entry(short).or_default().push(i);
        }
    }
    let categories = crate::dicts::store::options(db, "submission_category").await?;
    let approve = c.who.scope(Module::Liaison, Action::Approve);
    let offset = c.state.clock.offset();
    let now = c.now;
    let mut errors = Vec::new();
    let mut rows: Vec<(Submission, Ts)> = Vec::new();
    for (row, cells) in sheet.iter().skip(header_at + 1) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |name: &str| {
            cols.get(name).and_then(|j| cells.get(*j)).map(|s| s.trim().to_string()).unwrap_or_default()
        };
        let before = errors.len();
        let mut fail = |column: &str, message: String| {
            errors.push(RowError { row: Some(*row), column: column.to_string(), message })
        };
        let content = get("内容");
        let n = content.chars().count();
        if n < 5 {
            fail("内容", "内容必填，至少5个字".into());
        } else if n > 5000 {
            fail("内容", "内容不超过5000字".into());
        }
        let mut title = get("标题");
        if title.is_empty() {
            title = title_from(&content);
        } else if title.chars().count() > 100 {
            fail("标题", "标题不超过100个字".into());
        }
        let label = get("类别");
        let category = if label.is_empty() {
            String::new()
        } else {
            match categories.iter().find(|(code, name)| *name == label || *code == label) {
                Some((code, _)) => code.clone(),
                None => {
                    let names: Vec<&str> = categories.iter().map(|(_, n)| n.as_str()).collect();
                    fail("类别", format!("类别“{label}”不在字典中，应为：{}", names.join("、")));
                    String::new()
                }
            }
        };
        let when = get("时间");
        let at = match parse_time(&when) {
            Some(t) => {
                let at = Ts::from_datetime(t.assume_offset(offset));
                if at > now {
                    fail("时间", format!("时间“{when}”晚于现在"));
                }
                Some(at)
            }
            None => {
                fail("时间", format!("时间“{when}”无法识别，应为 2024-03-05 或 2024-03-05 14:30"));
                None
            }
        };
        let name = get("联系点");
        let point = match by_name.get(name.as_str()).map(Vec::as_slice) {
            None | Some([]) => {
                fail("联系点", format!("找不到登记在册的联系点“{name}”"));
                None
            }
            Some([one]) => {
                let p = &points[*one];
                if approve.allows(Target { unit_id: p.0, unit_path: &p.2, owner_id: None }) {
                    Some((p.0, p.2.clone()))
                } else {
                    fail("联系点", format!("无权为“{name}”导入"));
                    None
                }
            }
            Some(_) => {
                fail("联系点", format!("有多个联系点名为“{name}”，请写全称"));
                None
            }
        };
        if errors.len() > before {
            continue;
        }
        if let (Some(at), Some(point)) = (at, point) {
            let s = Submission {
                title,
                content,
                place: String::new(),
                category,
                urgency: "normal".into(),
                point,
            };
            rows.push((s, at));
        }
        if rows.len() > MAX_ROWS {
            return Ok(Err(whole(format!("一次最多导入{MAX_ROWS}行，请分批导入"))));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    if rows.is_empty() {
        return Ok(Err(whole("表中没有可导入的问题".into())));
    }
    // Oldest first, so a later repeat is the one marked 「可能重复」.
    rows.sort_by_key(|(_, at)| *at);
    let analyzer = Analyzer::current(c.state).await?;
    let items: Vec<Ready> = rows
        .into_iter()
        .map(|(s, at)| Ready::new(c, &analyzer, s, ("import", State::Archived), at))
        .collect();
    let mut tx = db.begin().await?;
    let done = write::insert_many(&mut tx, c.state, analyzer.segmenter(), &items).await?;
    let out = Imported { rows: done.len(), duplicates: done.iter().filter(|s| s.dup_of.is_some()).count() };
    let ev = Event::new("liaison.import", "liaison_cases", 0)
        .summary(format!("导入历史问题{}条（其中可能重复{}条）", out.rows, out.duplicates));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(Ok(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_ledgers_write_them() {
        let t = |s: &str| parse_time(s).map(|t| t.to_string());
        assert_eq!(t("2024-03-05").as_deref(), Some("2024-03-05 9:00:00.0"));
        assert_eq!(t("2024/3/5 14:30").as_deref(), Some("2024-03-05 14:30:00.0"));
        assert_eq!(t("2024年3月5日").as_deref(), Some("2024-03-05 9:00:00.0"));
        assert_eq!(t("2024-03-05T08:15:30").as_deref(), Some("2024-03-05 8:15:30.0"));
        assert_eq!(t("45356.5").as_deref(), Some("2024-03-05 12:00:00.0"), "an Excel day number");
        for bad in ["", "昨天", "2024-13-01", "2024-03-05 25:00", "12"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn csv_in_gbk_or_utf8_and_tolerant_headers() {
        let text = "序号, 标题 ,*内容（必填）,问题类别,报送时间,联系点名称\n1,路灯不亮,村口路灯坏了一个月,城乡建设,2024-03-05,东湖村联系点\n";
        let (gbk, _, _) = encoding_rs::GB18030.encode(text);
        for bytes in [
            text.as_bytes().to_vec(),
            gbk.into_owned(),
            [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        ] {
            let sheet = read_csv(&bytes).unwrap();
            let (at, cols) = header(&sheet).unwrap();
            assert_eq!(at, 0);
            assert_eq!(
                (cols["标题"], cols["内容"], cols["类别"], cols["时间"], cols["联系点"]),
                (1, 2, 3, 4, 5)
            );
            assert_eq!(sheet[1].1[2], "村口路灯坏了一个月");
        }
        assert!(read_csv(b"").is_err());
    }

    #[test]
    fn a_missing_title_comes_from_the_content() {
        assert_eq!(title_from("村口路灯坏了一个月。晚上出行不便"), "村口路灯坏了一个月");
        assert_eq!(
            title_from("。一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三"),
            "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十…"
        );
    }
}
