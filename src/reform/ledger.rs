//! The task ledger (改革任务台账, P9) as the offices keep it in Excel.
//!
//! Export writes the list in the usual layout. Import reads the same layout
//! and the variants offices use: the header may sit below a title row, and
//! column names are matched after removing spaces, line breaks, brackets and
//! asterisks, against a table of common names (牵头部门 for 牵头单位, 完成时间
//! for 完成时限 …). Deadlines are read in the usual Chinese forms. Every row is
//! checked before anything is written; the first error anywhere means nothing
//! is written, and every error is reported by row and column.
//!
//! A row with a known 任务编号 updates that task's defining fields; other rows
//! create tasks. For tasks already in the system, the stage, progress,
//! progress text and colour are the system's own (they follow from the
//! lifecycle and reports), so those columns are read only for new tasks.
//! Importing an export therefore changes nothing.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde::Serialize;

use super::colour;
use super::model::TaskInput;
use super::stage::Stage;
use super::store::{self, NewTask, Task, TaskFilter};
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Scope, Target};
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::AppResult;
use crate::export::{Cell, workbook};

/// The columns, in the order of the export, with the names accepted on import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Col {
    /// 序号 (ignored on import).
    Seq,
    /// 任务编号.
    Code,
    /// 改革任务.
    Title,
    /// 任务来源.
    Source,
    /// 改革领域.
    Field,
    /// 年度.
    Year,
    /// 牵头单位.
    Lead,
    /// 配合单位.
    Units,
    /// 包保领导.
    Leader,
    /// 改革目标.
    Goals,
    /// 预期成果.
    Outputs,
    /// 开始日期.
    Start,
    /// 完成时限.
    Deadline,
    /// 当前阶段.
    Stage,
    /// 完成进度.
    Progress,
    /// 进展情况.
    Latest,
    /// 状态/颜色 (never imported).
    Colour,
    /// 标签.
    Tags,
}

/// (column, header written on export, names accepted on import).
pub const COLUMNS: &[(Col, &str, &[&str])] = &[
    (Col::Seq, "序号", &["序号", "序"]),
    (Col::Code, "任务编号", &["任务编号", "编号", "任务代码"]),
    (Col::Title, "改革任务", &["改革任务", "任务名称", "改革事项", "改革任务名称", "重点改革任务", "任务"]),
    (Col::Source, "任务来源", &["任务来源", "来源"]),
    (Col::Field, "改革领域", &["改革领域", "领域", "所属领域"]),
    (Col::Year, "年度", &["年度", "年份"]),
    (Col::Lead, "牵头单位", &["牵头单位", "牵头部门", "责任单位", "牵头单位部门", "责任部门"]),
    (Col::Units, "配合单位", &["配合单位", "配合部门", "协同单位", "参与单位", "协办单位"]),
    (Col::Leader, "包保领导", &["包保领导", "分管领导", "责任领导", "牵头领导", "领衔领导"]),
    (Col::Goals, "改革目标", &["改革目标", "目标任务", "工作目标"]),
    (Col::Outputs, "预期成果", &["预期成果", "成果形式", "预期成效"]),
    (Col::Start, "开始日期", &["开始日期", "开始时间", "启动时间"]),
    (Col::Deadline, "完成时限", &["完成时限", "完成时间", "时间节点", "完成期限", "截止时间", "时限要求"]),
    (Col::Stage, "当前阶段", &["当前阶段", "推进阶段", "阶段"]),
    (Col::Progress, "完成进度", &["完成进度", "进度", "完成进度%", "完成比例"]),
    (Col::Latest, "进展情况", &["进展情况", "推进情况", "工作进展", "目前进展"]),
    (Col::Colour, "状态/颜色", &["状态/颜色", "状态颜色", "状态", "颜色", "督办状态"]),
    (Col::Tags, "标签", &["标签"]),
];

/// Columns a ledger must have.
const REQUIRED: &[Col] = &[Col::Title, Col::Source, Col::Lead, Col::Deadline];

fn header_of(col: Col) -> &'static str {
    COLUMNS.iter().find(|(c, _, _)| *c == col).map_or("", |(_, h, _)| h)
}

/// A header as compared: without spaces, line breaks, brackets, asterisks or “（%）”.
pub fn normalize_header(raw: &str) -> String {
    raw.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(
                    c,
                    '\u{feff}' | '*' | '＊' | '(' | ')' | '（' | '）' | '【' | '】' | '[' | ']' | '：' | ':'
                )
        })
        .collect()
}

/// The column a header names, if any.
pub fn match_header(raw: &str) -> Option<Col> {
    let h = normalize_header(raw);
    if h.is_empty() {
        return None;
    }
    COLUMNS.iter().find(|(_, _, names)| names.iter().any(|n| normalize_header(n) == h)).map(|(c, _, _)| *c)
}

fn colour_text(code: &str) -> String {
    let (name, label) = match code {
        "red" => ("红色", "逾期"),
        "yellow" => ("黄色", "预警"),
        "blue" => ("蓝色", "已完成"),
        _ => ("绿色", "正常推进"),
    };
    format!("{name}（{label}）")
}

/// Most rows one export writes.
pub const EXPORT_LIMIT: i64 = 200_000;

/// Writes the ledger of the tasks in scope matching the filter.
pub async fn export(db: &Db, scope: &Scope, f: &TaskFilter) -> anyhow::Result<(Vec<u8>, usize)> {
    let tasks = store::all(db, scope, f, EXPORT_LIMIT).await?;
    let names = ledger_names(db).await?;
    let mut cooperating: HashMap<i64, Vec<&str>> = HashMap::new();
    let links = store::cooperating(db, scope, f).await?;
    for (task, unit) in &links {
        if let Some(name) = names.get(unit) {
            cooperating.entry(*task).or_default().push(name);
        }
    }
    let headers: Vec<&str> = COLUMNS.iter().map(|(_, h, _)| *h).collect();
    let rows: Vec<Vec<Cell>> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            COLUMNS
                .iter()
                .map(|(c, _, _)| match c {
                    Col::Seq => Cell::Num((i + 1) as f64),
                    Col::Code => t.code.as_str().into(),
                    Col::Title => t.title.as_str().into(),
                    Col::Source => t.source_label.as_str().into(),
                    Col::Field => {
                        if t.field.is_empty() {
                            Cell::Empty
                        } else {
                            t.field_label.as_str().into()
                        }
                    }
                    Col::Year => t.year.into(),
                    Col::Lead => {
                        names.get(&t.lead_unit_id).map_or(t.lead_unit_name.as_str(), String::as_str).into()
                    }
                    Col::Units => cooperating.get(&t.id).map_or_else(String::new, |u| u.join("、")).into(),
                    Col::Leader => t.leader.as_str().into(),
                    Col::Goals => t.goals.as_str().into(),
                    Col::Outputs => t.outputs.as_str().into(),
                    Col::Start => t.start_on.to_string().into(),
                    Col::Deadline => t.deadline.map_or_else(|| "长期".to_string(), |d| d.to_string()).into(),
                    Col::Stage => Stage::parse(&t.stage).map_or("", Stage::label).into(),
                    Col::Progress => t.progress.into(),
                    Col::Latest => t.latest_report.as_str().into(),
                    Col::Colour => colour_text(&t.colour).into(),
                    Col::Tags => t.tags.as_str().into(),
                })
                .collect()
        })
        .collect();
    Ok((workbook("改革任务台账", &headers, &rows)?, tasks.len()))
}

/// The name the ledger gives each unit: its own, or, when another active unit
/// shares it (towns of the same name in two counties), its parent's name
/// before it (临江区城关镇). Import reads both forms.
async fn ledger_names(db: &Db) -> DbResult<HashMap<i64, String>> {
    let rows: Vec<(i64, String, String, Option<String>)> = db
        .all(Query::new(
            "select u.id, u.name, u.status, p.name from units u left join units p on p.id = u.parent_id",
        ))
        .await?;
    let mut shared: HashMap<&str, usize> = HashMap::new();
    for (_, name, status, _) in &rows {
        if status == "active" {
            *shared.entry(name.as_str()).or_default() += 1;
        }
    }
    Ok(rows
        .iter()
        .map(|(id, name, _, parent)| {
            let qualified = match parent {
                Some(p) if shared.get(name.as_str()).is_some_and(|n| *n > 1) => format!("{p}{name}"),
                _ => name.clone(),
            };
            (*id, qualified)
        })
        .collect())
}

/// An error found in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The spreadsheet row (1-based, as Excel shows it); none for the whole file.
    pub row: Option<usize>,
    /// The column's header; empty for the whole row or file.
    pub column: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl RowError {
    fn file(message: impl Into<String>) -> RowError {
        RowError { row: None, column: String::new(), message: message.into() }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// Rows read.
    pub rows: usize,
    /// Tasks created.
    pub created: usize,
    /// Tasks changed.
    pub updated: usize,
    /// Rows that matched a task exactly.
    pub unchanged: usize,
    /// Things worth knowing that did not stop the import.
    pub notes: Vec<String>,
}

/// A cell as text: numbers without a trailing “.0”, Excel dates as 2026-10-31.
pub fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => {
            let serial = dt.as_f64().floor() as i64;
            // Excel's day 1 is 1900-01-01 and it counts a 29 February 1900 that never was.
            let base = time::macros::date!(1899 - 12 - 30);
            base.checked_add(time::Duration::days(serial)).map_or_else(String::new, |d| d.to_string())
        }
    }
}

/// A sheet as text rows, with the spreadsheet row number of each.
pub type Sheet = Vec<(usize, Vec<String>)>;

/// Reads the first worksheet of an xlsx file.
pub fn read_sheet(bytes: &[u8]) -> Result<Sheet, RowError> {
    if bytes.is_empty() {
        return Err(RowError::file("文件是空的，请选择台账文件"));
    }
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|_| RowError::file("无法读取文件，请上传Excel（.xlsx）格式的台账"))?;
    let name = book.sheet_names().first().cloned().ok_or_else(|| RowError::file("文件中没有工作表"))?;
    let range = book.worksheet_range(&name).map_err(|_| RowError::file("无法读取第一个工作表"))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut row = vec![String::new(); first_col];
            row.extend(cells.iter().map(cell_text));
            (first_row + i + 1, row)
        })
        .collect())
}

/// Finds the header row among the first ten: the one naming the task column.
fn header_row(sheet: &Sheet) -> Option<(usize, HashMap<Col, usize>)> {
    sheet.iter().take(10).enumerate().find_map(|(i, (_, cells))| {
        let mut cols = HashMap::new();
        for (j, c) in cells.iter().enumerate() {
            if let Some(col) = match_header(c) {
                cols.entry(col).or_insert(j);
            }
        }
        cols.contains_key(&Col::Title).then_some((i, cols))
    })
}

/// Names and codes the rows are resolved against.
struct Lookups {
    units: HashMap<String, Vec<(i64, String)>>,
    /// Each unit's name after its parent's (临江区城关镇).
    qualified: HashMap<i64, String>,
    sources: HashMap<String, String>,
    fields: HashMap<String, String>,
    leaders: HashMap<String, i64>,
}

impl Lookups {
    async fn load(db: &Db) -> DbResult<Lookups> {
        let rows: Vec<(i64, String, String, String, Option<String>)> = db
            .all(Query::new(
                "select u.id, u.name, u.short_name, u.path, p.name from units u \
                 left join units p on p.id = u.parent_id where u.status = 'active'",
            ))
            .await?;
        let mut units: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        let mut qualified = HashMap::new();
        for (id, name, short, path, parent) in rows {
            if let Some(parent) = parent {
                let full = format!("{parent}{name}");
                units.entry(full.clone()).or_default().push((id, path.clone()));
                qualified.insert(id, full);
            }
            units.entry(name).or_default().push((id, path.clone()));
            if !short.is_empty() {
                units.entry(short).or_default().push((id, path));
            }
        }
        for v in units.values_mut() {
            v.sort();
            v.dedup();
        }
        let dict = |t: &'static str| async move {
            let rows: Vec<(String, String)> = db
                .all(
                    Query::new("select code, label from dict_items where type_code = $1 and enabled = true")
                        .bind(t),
                )
                .await?;
            let mut m = HashMap::new();
            for (code, label) in rows {
                m.insert(label, code.clone());
                m.insert(code.clone(), code);
            }
            DbResult::Ok(m)
        };
        let leaders: Vec<(String, i64)> = db
            .all(Query::new(
                "select a.display_name, min(a.id) from accounts a join account_roles ar on ar.account_id = a.id \
                 join roles r on r.id = ar.role_id where r.code = 'leader' and a.status = 'active' group by a.display_name",
            ))
            .await?;
        Ok(Lookups {
            units,
            qualified,
            sources: dict("reform_source").await?,
            fields: dict("reform_field").await?,
            leaders: leaders.into_iter().collect(),
        })
    }

    /// The unit of that name; when several share it, the one the task already has.
    fn unit(&self, name: &str, prefer: &[i64]) -> Result<(i64, String), String> {
        match self.units.get(name.trim()).map(Vec::as_slice) {
            Some([one]) => Ok(one.clone()),
            Some([]) | None => Err(format!("没有名为“{}”的在用单位", name.trim())),
            Some(many) => many.iter().find(|(id, _)| prefer.contains(id)).cloned().ok_or_else(|| {
                let names: Vec<&str> =
                    many.iter().filter_map(|(id, _)| self.qualified.get(id)).map(String::as_str).collect();
                format!("有多个名为“{}”的单位，请连同上级单位写明：{}", name.trim(), names.join("、"))
            }),
        }
    }
}

fn split_names(raw: &str) -> Vec<&str> {
    raw.split(['、', ',', '，', ';', '；', '\n', '/']).map(str::trim).filter(|s| !s.is_empty()).collect()
}

/// One row, resolved.
struct Planned {
    row: usize,
    existing: Option<(Task, Vec<i64>)>,
    input: TaskInput,
    code: Option<String>,
    stage: Stage,
    progress: i64,
    latest: String,
}

fn progress_of(raw: &str) -> Result<i64, String> {
    let v = raw.trim().trim_end_matches(['%', '％']).trim();
    if v.is_empty() {
        return Ok(0);
    }
    let n: f64 = v.parse().map_err(|_| "完成进度应为0到100之间的数".to_string())?;
    let n = if n > 0.0 && n < 1.0 && !raw.contains(['%', '％']) { n * 100.0 } else { n };
    if (0.0..=100.0).contains(&n) {
        Ok(n.round() as i64)
    } else {
        Err("完成进度应为0到100之间的数".to_string())
    }
}

async fn existing_by_code(db: &Db, codes: &[String]) -> DbResult<HashMap<String, (Task, Vec<i64>)>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let tasks = store::by_codes(db, chunk).await?;
        let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
        let mut units: HashMap<i64, Vec<i64>> = HashMap::new();
        if !ids.is_empty() {
            let mut sql = Sql::new("select task_id, unit_id from reform_task_units where task_id in ");
            sql.bind_list(ids.iter().copied());
            for (t, u) in db.all::<(i64, i64)>(sql.build()).await? {
                units.entry(t).or_default().push(u);
            }
        }
        for t in tasks {
            let u = units.remove(&t.id).unwrap_or_default();
            out.insert(t.code.clone(), (t, u));
        }
    }
    Ok(out)
}

/// Reads, checks and (when every row holds) applies a ledger, in one transaction.
pub async fn import(c: &Caller<'_>, bytes: &[u8]) -> AppResult<Result<Outcome, Vec<RowError>>> {
    let manage = c.who.require(Module::Reform, Action::Approve)?;
    let sheet = match read_sheet(bytes) {
        Ok(s) => s,
        Err(e) => return Ok(Err(vec![e])),
    };
    let Some((head_at, cols)) = header_row(&sheet) else {
        return Ok(Err(vec![RowError::file("找不到表头：第一至十行中没有“改革任务”（或“任务名称”）列")]));
    };
    let missing: Vec<RowError> = REQUIRED
        .iter()
        .filter(|c| !cols.contains_key(c))
        .map(|c| RowError::file(format!("缺少“{}”列", header_of(*c))))
        .collect();
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    let data: Vec<&(usize, Vec<String>)> = sheet
        .iter()
        .skip(head_at + 1)
        .filter(|(_, cells)| cells.iter().any(|v| !v.trim().is_empty()))
        .collect();
    if data.is_empty() {
        return Ok(Err(vec![RowError::file("表中没有任务行")]));
    }
    let db = &c.state.db;
    let look = Lookups::load(db).await?;
    let get = |cells: &Vec<String>, col: Col| -> Option<String> {
        cols.get(&col).map(|j| cells.get(*j).cloned().unwrap_or_default())
    };
    let codes: Vec<String> = data
        .iter()
        .filter_map(|(_, cells)| get(cells, Col::Code))
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let existing = existing_by_code(db, &codes).await?;
    let this_year = i64::from(c.today().year());
    let mut errors = Vec::new();
    let mut plans = Vec::new();
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    let mut seen_keys: HashMap<(String, String, String), usize> = HashMap::new();
    for (row, cells) in &data {
        let row = *row;
        let mut err = |col: Col, message: String| {
            errors.push(RowError { row: Some(row), column: header_of(col).to_string(), message })
        };
        let code = get(cells, Col::Code).map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
        let found = code.as_ref().and_then(|c| existing.get(c));
        if let Some(code) = &code {
            if let Some(first) = seen_codes.insert(code.clone(), row) {
                err(Col::Code, format!("与第{first}行任务编号重复"));
                continue;
            }
            if code.chars().count() > 40 || code.chars().any(char::is_whitespace) {
                err(Col::Code, "任务编号不能含空格且不超过40个字".into());
            }
        }
        // Start from the task as it is, so absent columns keep their values.
        let mut input = match found {
            Some((t, units)) => super::routes::tasks::input_from(
                t,
                units.iter().map(|u| u.to_string()).collect(),
                t.tags.replace('、', "，"),
            ),
            None => TaskInput { year: this_year.to_string(), ..TaskInput::default() },
        };
        if let Some(v) = get(cells, Col::Title) {
            input.title = v;
        }
        if let Some(v) = get(cells, Col::Year).filter(|v| !v.trim().is_empty() || found.is_none()) {
            input.year = if v.trim().is_empty() {
                this_year.to_string()
            } else {
                v.trim().trim_end_matches('年').to_string()
            };
        }
        if let Some(v) = get(cells, Col::Source) {
            match look.sources.get(v.trim()) {
                Some(code) => input.source = code.clone(),
                None if v.trim().is_empty() => err(Col::Source, "请填写任务来源".into()),
                None => err(Col::Source, format!("没有“{}”这一任务来源", v.trim())),
            }
        }
        if let Some(v) = get(cells, Col::Field) {
            match look.fields.get(v.trim()) {
                Some(code) => input.field = code.clone(),
                None if v.trim().is_empty() => input.field = String::new(),
                None => err(Col::Field, format!("没有“{}”这一改革领域", v.trim())),
            }
        }
        let mut lead_path = None;
        if let Some(v) = get(cells, Col::Lead) {
            if v.trim().is_empty() {
                err(Col::Lead, "请填写牵头单位".into());
            } else {
                let prefer: Vec<i64> = found.map(|(t, _)| vec![t.lead_unit_id]).unwrap_or_default();
                match look.unit(&v, &prefer) {
                    Ok((id, path)) => {
                        input.lead_unit_id = id.to_string();
                        lead_path = Some(path);
                    }
                    Err(m) => err(Col::Lead, m),
                }
            }
        }
        if let Some(v) = get(cells, Col::Units) {
            input.unit_ids.clear();
            let prefer: Vec<i64> = found.map(|(_, u)| u.clone()).unwrap_or_default();
            for name in split_names(&v) {
                match look.unit(name, &prefer) {
                    Ok((id, _)) => input.unit_ids.push(id.to_string()),
                    Err(m) => err(Col::Units, m),
                }
            }
        }
        if let Some(v) = get(cells, Col::Leader) {
            match look.leaders.get(v.trim()) {
                Some(id) => {
                    input.leader_account_id = id.to_string();
                    input.leader_name = String::new();
                }
                None => {
                    input.leader_account_id = String::new();
                    input.leader_name = v.trim().to_string();
                }
            }
        }
        for (col, slot) in
            [(Col::Goals, &mut input.goals), (Col::Outputs, &mut input.outputs), (Col::Tags, &mut input.tags)]
        {
            if let Some(v) = get(cells, col) {
                *slot = v;
            }
        }
        if let Some(v) = get(cells, Col::Start) {
            input.start_on = v.trim().to_string();
        }
        if let Some(v) = get(cells, Col::Deadline) {
            input.deadline = v.trim().to_string();
        }
        let stage = match get(cells, Col::Stage).filter(|_| found.is_none()).map(|v| v.trim().to_string()) {
            None => Stage::Approval,
            Some(v) if v.is_empty() => Stage::Approval,
            Some(v) => match Stage::ALL.iter().find(|s| s.label() == v || s.code() == v) {
                Some(s) => *s,
                None => {
                    err(
                        Col::Stage,
                        format!(
                            "没有“{v}”这一阶段，应为改革立项、方案研究、专家论证、审议决定、组织实施、督察考评、结项验收或已结项"
                        ),
                    );
                    Stage::Approval
                }
            },
        };
        let progress = match get(cells, Col::Progress).filter(|_| found.is_none()) {
            Some(v) => progress_of(&v).unwrap_or_else(|m| {
                err(Col::Progress, m);
                0
            }),
            None => 0,
        };
        let latest = get(cells, Col::Latest).filter(|_| found.is_none()).unwrap_or_default();
        if latest.chars().count() > 500 {
            err(Col::Latest, "进展情况不能超过500个字".into());
        }
        // Field rules: the same parser as the form and the API.
        if let Err(fe) = input.parse() {
            for (field, m) in fe.0 {
                let col = match field.as_str() {
                    "title" => Col::Title,
                    "year" => Col::Year,
                    "source" => Col::Source,
                    "field" => Col::Field,
                    "lead_unit_id" => Col::Lead,
                    "unit_ids" => Col::Units,
                    "leader_name" | "leader_account_id" => Col::Leader,
                    "goals" => Col::Goals,
                    "outputs" => Col::Outputs,
                    "start_on" => Col::Start,
                    "deadline" => Col::Deadline,
                    "tags" => Col::Tags,
                    _ => Col::Title,
                };
                // A missing source or lead unit was already reported above.
                if !(matches!(col, Col::Source | Col::Lead)
                    && errors.iter().any(|e| e.row == Some(row) && e.column == header_of(col)))
                {
                    errors.push(RowError {
                        row: Some(row),
                        column: header_of(col).to_string(),
                        message: m.render(crate::i18n::Lang::Zh),
                    });
                }
            }
        }
        let mut err = |col: Col, message: String| {
            errors.push(RowError { row: Some(row), column: header_of(col).to_string(), message })
        };
        // Permission: the lead unit, before and after, within the reform office's reach.
        if let Some(path) = &lead_path
            && let Ok(id) = input.lead_unit_id.parse::<i64>()
            && !manage.allows(Target { unit_id: id, unit_path: path, owner_id: None })
        {
            err(Col::Lead, "无权为该单位导入改革任务".into());
        }
        if let Some((t, _)) = found
            && !manage.allows(Target {
                unit_id: t.lead_unit_id,
                unit_path: &t.lead_unit_path,
                owner_id: t.created_by,
            })
        {
            err(Col::Code, format!("无权修改任务{}", t.code));
        }
        if found.is_none() {
            let key =
                (input.year.trim().to_string(), input.title.trim().to_string(), input.lead_unit_id.clone());
            if let Some(first) = seen_keys.insert(key, row) {
                err(Col::Title, format!("与第{first}行重复（同一年度、同一牵头单位的同名任务）"));
            }
        }
        plans.push(Planned { row, existing: found.cloned(), input, code, stage, progress, latest });
    }
    // New rows that repeat a task already in the system without its code.
    let new_keys: HashSet<(i64, String, i64)> = plans
        .iter()
        .filter(|p| p.existing.is_none())
        .filter_map(|p| {
            Some((
                p.input.year.trim().parse().ok()?,
                p.input.title.trim().to_string(),
                p.input.lead_unit_id.parse().ok()?,
            ))
        })
        .collect();
    if !new_keys.is_empty() {
        let years: Vec<i64> = new_keys.iter().map(|k| k.0).collect::<HashSet<_>>().into_iter().collect();
        let mut sql = Sql::new("select year, title, lead_unit_id, code from reform_tasks where year in ");
        sql.bind_list(years.iter().copied());
        let known: Vec<(i64, String, i64, String)> = db.all(sql.build()).await?;
        let known: HashMap<(i64, String, i64), String> =
            known.into_iter().map(|(y, t, l, c)| ((y, t, l), c)).collect();
        for p in plans.iter().filter(|p| p.existing.is_none()) {
            let key = (
                p.input.year.trim().parse().unwrap_or(0),
                p.input.title.trim().to_string(),
                p.input.lead_unit_id.parse().unwrap_or(0),
            );
            if let Some(code) = known.get(&key) {
                errors.push(RowError {
                    row: Some(p.row),
                    column: header_of(Col::Title).to_string(),
                    message: format!("与已有任务{code}重复；修改已有任务请填写其任务编号"),
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.row, COLUMNS.iter().position(|(_, h, _)| *h == e.column)));
        return Ok(Err(errors));
    }
    let system_columns =
        [Col::Stage, Col::Progress, Col::Latest, Col::Colour].iter().any(|c| cols.contains_key(c));
    let any_existing = plans.iter().any(|p| p.existing.is_some());
    let mut out = apply(c, plans, data.len()).await?;
    if system_columns && any_existing {
        out.notes.push("已有任务的当前阶段、完成进度、进展情况和颜色以系统记录为准，表中这几列未导入".into());
    }
    Ok(Ok(out))
}

async fn apply(c: &Caller<'_>, plans: Vec<Planned>, rows: usize) -> AppResult<Outcome> {
    let today = c.today();
    let mut out = Outcome { rows, ..Outcome::default() };
    let mut touched = Vec::new();
    let (mut created, mut updated) = (Vec::new(), Vec::new());
    let mut lines = Vec::new();
    let mut fresh = Vec::new();
    let mut tx = c.state.db.begin().await?;
    for p in plans {
        let f = p.input.parse()?;
        match p.existing {
            Some((t, units)) => {
                let units: Vec<String> = units.iter().map(|u| u.to_string()).collect();
                let before =
                    super::routes::tasks::input_from(&t, units, t.tags.replace('、', "，")).parse()?;
                if before == f {
                    out.unchanged += 1;
                    continue;
                }
                store::update(&mut tx, t.id, &f, c.now).await?;
                lines.push((t.id, "update", t.stage.clone(), "从台账导入修改任务信息"));
                touched.push(t.id);
                updated.push(t.code.clone());
                out.updated += 1;
            }
            None => fresh.push((f, p)),
        }
    }
    // New rows go in together; a finished one arrives done at 100%, finished
    // by its deadline when that has passed, else today.
    let new_tasks: Vec<NewTask<'_>> = fresh
        .iter()
        .map(|(f, p)| {
            let done = p.stage == Stage::Done;
            NewTask {
                fields: f,
                code: p.code.as_deref(),
                stage: p.stage.code(),
                progress: if done { 100 } else { p.progress },
                finished_on: done.then(|| f.deadline.filter(|d| *d <= today).unwrap_or(today)),
                latest_report: p.latest.trim(),
            }
        })
        .collect();
    let ids = store::insert_many(&mut tx, &new_tasks, c.account(), c.now).await?;
    for ((f, p), id) in fresh.iter().zip(ids) {
        lines.push((id, "import", p.stage.code().to_string(), ""));
        touched.push(id);
        created.push(p.code.clone().unwrap_or_else(|| format!("{}-{id:05}", f.year)));
        out.created += 1;
    }
    super::actions::events(c, &mut tx, &lines).await?;
    super::actions::index(c, &mut tx, &touched).await?;
    if !touched.is_empty() {
        let rules = crate::deadline::settings::rules(&c.state.db, "reform").await?;
        for chunk in touched.chunks(1000) {
            colour::refresh(&mut tx, Some(chunk), &rules, today, c.now).await?;
        }
    }
    let ev = Event::new("reform.ledger_import", "reform_ledger", "")
        .summary(format!(
            "导入改革任务台账：{}行，新增{}项，修改{}项，未变{}项",
            out.rows, out.created, out.updated, out.unchanged
        ))
        .after(&serde_json::json!({ "created": created, "updated": updated }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(out)
}
