//! Outputs (调研成果, Y3): reports uploaded as docx or pdf (their text read
//! and searchable) or typed in; series; compilations (汇编) exported as one
//! docx with a table of contents; and transformation of an output into a
//! policy, decision or measure with its evidence (Y6).
//!
//! One file because compilations and transformations are made of outputs and
//! share `visible` and the scope condition; split when outputs gain editing.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::attachments::actions::{Checked, Owner};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Scope, Target};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::search::Kind as DocKind;
use crate::validate::{Check, date, id, optional, optional_id, required};

/// Kinds of output.
pub const KINDS: &[(&str, &str)] = &[
    ("report", "调研报告"),
    ("proposal", "决策建议"),
    ("info", "信息专报"),
    ("article", "理论文章"),
    ("case", "案例剖析"),
];

/// Kinds of transformation.
pub const TRANSFORMATIONS: &[(&str, &str)] =
    &[("policy", "出台政策文件"), ("decision", "纳入决策部署"), ("measure", "转化为工作举措")];

/// Longest text kept (characters).
const MAX_TEXT: usize = 300_000;

/// An output as lists show it (without its text).
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Output {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Number (成果2026-0012).
    pub code: String,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// The topic it came from.
    pub topic_id: Option<i64>,
    /// Its code.
    pub topic_code: Option<String>,
    /// The unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[serde(skip)]
    pub unit_path: String,
    /// Authors.
    pub authors: String,
    /// Series (“县域经济调研系列”).
    pub series: String,
    /// Characters of text.
    pub chars: i64,
    /// The uploaded file.
    pub attachment_id: Option<i64>,
    /// Finished.
    pub finished_on: Date,
    /// Created by.
    pub created_by: Option<i64>,
    /// Created at.
    pub created_at: Ts,
    /// Instructions received.
    pub instructions: i64,
}

impl Output {
    fn target(&self) -> Target<'_> {
        Target { unit_id: self.unit_id, unit_path: &self.unit_path, owner_id: self.created_by }
    }
}

const SELECT: &str = "select o.id, o.year, o.code, o.title, o.kind, o.topic_id, t.code as topic_code, o.unit_id, \
     u.name as unit_name, u.path as unit_path, o.authors, o.series, o.chars, o.attachment_id, o.finished_on, \
     o.created_by, o.created_at, \
     (select count(*) from research_instructions i where i.target_kind = 'output' and i.target_id = o.id) as instructions \
     from research_outputs o join units u on u.id = o.unit_id left join research_topics t on t.id = o.topic_id";

fn push_visible(sql: &mut Sql, scope: &Scope) {
    sql.push(" and ");
    scope.filter(sql, "o.unit_id", Some("o.created_by"));
}

/// The list's filter.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::IntoParams)]
#[serde(default)]
pub struct Filter {
    /// Year (default this year).
    pub year: String,
    /// Kind code.
    pub kind: String,
    /// Series.
    pub series: String,
    /// Topic id.
    pub topic: String,
}

/// Outputs of a year the person may see, newest first (at most 1,000).
pub async fn list(db: &Db, who: &Principal, year: i64, f: &Filter) -> DbResult<Vec<Output>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where o.year = ").bind(year);
    if KINDS.iter().any(|(k, _)| *k == f.kind) {
        sql.push(" and o.kind = ").bind(f.kind.clone());
    }
    if !f.series.trim().is_empty() {
        sql.push(" and o.series = ").bind(f.series.trim().to_string());
    }
    if let Ok(t) = f.topic.trim().parse::<i64>() {
        sql.push(" and o.topic_id = ").bind(t);
    }
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read));
    sql.push(" order by o.finished_on desc, o.id desc limit 1000");
    db.all(sql.build()).await
}

/// The series names in use in a year (inside the scope).
pub async fn series(db: &Db, who: &Principal, year: i64) -> DbResult<Vec<(String, i64)>> {
    let mut sql =
        Sql::new("select o.series, count(*) from research_outputs o where o.series <> '' and o.year = ");
    sql.bind(year);
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read));
    sql.push(" group by o.series order by o.series");
    db.all(sql.build()).await
}

/// Loads an output the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Output> {
    let scope = c.who.require(Module::Research, Action::Read)?;
    let mut sql = Sql::new(SELECT);
    sql.push(" where o.id = ").bind(id);
    let o: Output = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    if scope.allows(o.target()) { Ok(o) } else { Err(AppError::Forbidden) }
}

/// An output's text.
pub async fn text(db: &Db, id: i64) -> DbResult<String> {
    let row: Option<(String,)> =
        db.opt(Query::new("select body from research_outputs where id = $1").bind(id)).await?;
    Ok(row.map(|(b,)| b).unwrap_or_default())
}

/// A new output as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutputInput {
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Topic id (optional).
    pub topic_id: String,
    /// Unit id.
    pub unit_id: String,
    /// Authors.
    pub authors: String,
    /// Series (optional).
    pub series: String,
    /// Finished on.
    pub finished_on: String,
    /// The text, when no file is uploaded.
    pub text: String,
}

/// Records an output; the text comes from the uploaded docx/pdf or the form.
pub async fn create(c: &Caller<'_>, input: &OutputInput, file: Option<&Checked>) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    let db = &c.state.db;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 200));
    let kind = check.take("kind", crate::validate::choice(KINDS, &input.kind, "请选择成果类型"));
    let topic = check.take("topic_id", optional_id(&input.topic_id));
    let unit = check.take("unit_id", id(&input.unit_id));
    let authors = check.take("authors", optional(&input.authors, 200));
    let series = check.take("series", optional(&input.series, 60));
    let finished = check.take("finished_on", date(&input.finished_on));
    if finished.is_some_and(|d| d > c.today()) {
        check.fail("finished_on", Msg::new("完成日期不能晚于今天"));
    }
    let body = match file {
        Some(f) => match &f.text {
            Some(t) => t.clone(),
            None => {
                check.fail(
                    "file",
                    Msg::new("未能读取文件中的文字（扫描件或不支持的格式），请上传 docx 或带文字层的 PDF，或直接粘贴全文"),
                );
                String::new()
            }
        },
        None => input.text.replace("\r\n", "\n").trim().to_string(),
    };
    if body.is_empty() && file.is_none() {
        check.fail("text", Msg::new("请上传成果文件或录入全文"));
    }
    let chars = body.chars().count();
    if chars > MAX_TEXT {
        check.fail("text", Msg::new("成果正文不能超过{n}字").arg("n", MAX_TEXT));
    }
    if let Some(Some(t)) = topic {
        let n: i64 =
            db.scalar(Query::new("select count(*) from research_topics where id = $1").bind(t)).await?;
        if n == 0 {
            check.fail("topic_id", Msg::new("课题不存在"));
        }
    }
    let (title, kind, topic, unit, authors, series, finished) =
        check.finish(|| Some((title?, kind?, topic?, unit?, authors?, series?, finished?)))?;
    if let Some(t) = topic {
        super::topics::visible(c, t)
            .await
            .map_err(|_| FieldErrors::one("topic_id", Msg::new("无权查看该课题")))?;
    }
    crate::org::units::actions::check_placement(c, Module::Research, unit, "unit_id").await?;
    let year = i64::from(finished.year());
    let mut tx = db.begin().await?;
    let pending = format!("pending-{}", crate::auth::session::random_token());
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_outputs (year, code, title, kind, topic_id, unit_id, authors, series, body, chars, \
                 finished_on, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning id",
            )
            .bind(year)
            .bind(pending)
            .bind(title.as_str())
            .bind(kind.as_str())
            .bind(topic)
            .bind(unit)
            .bind(authors.as_str())
            .bind(series.as_str())
            .bind(body)
            .bind(chars as i64)
            .bind(finished)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let code = format!("成果{year}-{id:05}");
    tx.exec(Query::new("update research_outputs set code = $1 where id = $2").bind(code.as_str()).bind(id))
        .await?;
    if let Some(f) = file {
        let att = crate::attachments::actions::save(
            c,
            &mut tx,
            f,
            &Owner { kind: "research_output".into(), id: id.to_string() },
        )
        .await?;
        tx.exec(
            Query::new("update research_outputs set attachment_id = $1 where id = $2").bind(att).bind(id),
        )
        .await?;
    }
    super::index(c, &mut tx, DocKind::Output, &[id]).await?;
    let ev = Event::new("research.output.create", "research_output", id)
        .summary(format!("登记调研成果{code}“{title}”（{chars}字）"))
        .after(&serde_json::json!({ "kind": kind, "unit": unit, "topic": topic, "series": series }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// A transformation record.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Transformation {
    /// Id.
    pub id: i64,
    /// The output.
    pub output_id: i64,
    /// Kind code.
    pub kind: String,
    /// The policy, decision or measure.
    pub title: String,
    /// Who adopted it.
    pub adopted_by: String,
    /// When.
    pub adopted_on: Date,
    /// The evidence (document number, meeting minutes …).
    pub evidence: String,
}

/// Transformations of an output.
pub async fn transformations(db: &Db, output_id: i64) -> DbResult<Vec<Transformation>> {
    db.all(
        Query::new(
            "select id, output_id, kind, title, adopted_by, adopted_on, evidence from research_transformations \
             where output_id = $1 order by adopted_on, id",
        )
        .bind(output_id),
    )
    .await
}

/// A transformation as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TransformationInput {
    /// Kind code.
    pub kind: String,
    /// The policy, decision or measure.
    pub title: String,
    /// Who adopted it.
    pub adopted_by: String,
    /// When.
    pub adopted_on: String,
    /// The evidence.
    pub evidence: String,
}

/// Records that an output became a policy, decision or measure.
pub async fn add_transformation(
    c: &Caller<'_>,
    output_id: i64,
    input: &TransformationInput,
) -> AppResult<i64> {
    let o = visible(c, output_id).await?;
    c.who.require_on(Module::Research, Action::Write, o.target())?;
    let mut check = Check::default();
    let kind = check.take("kind", crate::validate::choice(TRANSFORMATIONS, &input.kind, "请选择转化方式"));
    let title = check.take("title", required(&input.title, 200));
    let by = check.take("adopted_by", required(&input.adopted_by, 100));
    let on = check.take("adopted_on", date(&input.adopted_on));
    if on.is_some_and(|d| d < o.finished_on) {
        check.fail("adopted_on", Msg::new("转化日期不能早于成果完成日期"));
    }
    let evidence = check.take("evidence", required(&input.evidence, 1000));
    let (kind, title, by, on, evidence) = check.finish(|| Some((kind?, title?, by?, on?, evidence?)))?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_transformations (output_id, kind, title, adopted_by, adopted_on, evidence, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
            )
            .bind(output_id)
            .bind(kind.as_str())
            .bind(title.as_str())
            .bind(by.as_str())
            .bind(on)
            .bind(evidence.as_str())
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("research.output.transform", "research_output", output_id)
        .summary(format!("{}转化为“{title}”（{by}，{on}）", o.code))
        .after(&serde_json::json!({ "kind": kind, "evidence": evidence }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// A compilation.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Compilation {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Title.
    pub title: String,
    /// Preface.
    pub preface: String,
    /// The compiling unit.
    pub unit_id: i64,
    /// Outputs in it.
    pub items: i64,
}

/// Compilations of a year inside the scope.
pub async fn compilations(db: &Db, who: &Principal, year: i64) -> DbResult<Vec<Compilation>> {
    let mut sql = Sql::new(
        "select c.id, c.year, c.title, c.preface, c.unit_id, \
         (select count(*) from research_compilation_items x where x.compilation_id = c.id) as items \
         from research_compilations c where c.year = ",
    );
    sql.bind(year).push(" and ");
    who.scope(Module::Research, Action::Read).filter(&mut sql, "c.unit_id", Some("c.created_by"));
    sql.push(" order by c.id desc");
    db.all(sql.build()).await
}

/// A compilation as typed: a title, a preface and the outputs (or a whole series).
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CompilationInput {
    /// Title.
    pub title: String,
    /// Preface.
    pub preface: String,
    /// Year.
    pub year: String,
    /// Output ids, in order.
    pub output_ids: Vec<String>,
    /// Or every output of this series.
    pub series: String,
}

/// Puts outputs together into a compilation.
pub async fn create_compilation(c: &Caller<'_>, input: &CompilationInput) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 200));
    let preface = check.take("preface", optional(&input.preface, 5000));
    let year = input.year.trim().parse::<i64>().unwrap_or_else(|_| i64::from(c.today().year()));
    let mut ids = Vec::new();
    for raw in input.output_ids.iter().filter(|s| !s.trim().is_empty()) {
        if let Some(i) = check.take("output_ids", id(raw))
            && !ids.contains(&i)
        {
            ids.push(i);
        }
    }
    let (title, preface) = check.finish(|| Some((title?, preface?)))?;
    if !input.series.trim().is_empty() {
        let f = Filter { series: input.series.trim().to_string(), ..Filter::default() };
        let mut in_series = list(&c.state.db, c.who, year, &f).await?;
        in_series.sort_by_key(|o| (o.finished_on, o.id));
        for o in in_series {
            if !ids.contains(&o.id) {
                ids.push(o.id);
            }
        }
    }
    if ids.is_empty() {
        return Err(FieldErrors::one("output_ids", Msg::new("请至少选择一篇成果或一个系列")).into());
    }
    for i in &ids {
        visible(c, *i)
            .await
            .map_err(|_| FieldErrors::one("output_ids", Msg::new("所选成果不存在或无权查看")))?;
    }
    let unit = c.who.unit_id;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_compilations (year, title, unit_id, preface, created_by, created_at) \
                 values ($1, $2, $3, $4, $5, $6) returning id",
            )
            .bind(year)
            .bind(title.as_str())
            .bind(unit)
            .bind(preface.as_str())
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    for (n, o) in ids.iter().enumerate() {
        tx.exec(
            Query::new("insert into research_compilation_items (compilation_id, output_id, sort) values ($1, $2, $3)")
                .bind(id)
                .bind(*o)
                .bind(n as i64),
        )
        .await?;
    }
    let ev = Event::new("research.compilation.create", "research_compilation", id)
        .summary(format!("编印汇编“{title}”，收录成果{}篇", ids.len()));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// What holds outputs in order.
#[derive(Clone, Copy, Debug)]
pub enum Collection {
    /// A compilation (汇编).
    Compilation(i64),
    /// An issue of 《决策参考》.
    Issue(i64),
}

/// The outputs of a compilation or an issue as sections, in order, leaving
/// out any the person may not read: a Word export obeys the data scope as a
/// list does.
pub async fn sections(db: &Db, who: &Principal, of: Collection) -> DbResult<Vec<crate::officedoc::Section>> {
    let mut sql = Sql::new("select o.title, o.authors, u.name, o.body from ");
    match of {
        Collection::Compilation(id) => sql
            .push("research_compilation_items x join research_outputs o on o.id = x.output_id ")
            .push("join units u on u.id = o.unit_id where x.compilation_id = ")
            .bind(id),
        Collection::Issue(id) => sql
            .push("research_issue_articles x join research_outputs o on o.id = x.output_id ")
            .push("join units u on u.id = o.unit_id where x.issue_id = ")
            .bind(id),
    };
    push_visible(&mut sql, &who.scope(Module::Research, Action::Read));
    sql.push(" order by x.sort");
    let rows: Vec<(String, String, String, String)> = db.all(sql.build()).await?;
    Ok(rows
        .into_iter()
        .map(|(title, authors, unit, body)| crate::officedoc::Section {
            title,
            byline: if authors.is_empty() { unit } else { format!("{unit}　{authors}") },
            body,
        })
        .collect())
}

/// The compilation as one docx in official layout (Export on the compiling unit): (name, bytes).
pub async fn compilation_docx(c: &Caller<'_>, id: i64) -> AppResult<(String, Vec<u8>)> {
    let scope = c.who.require(Module::Research, Action::Export)?;
    let row: Option<(String, String, i64, String, Option<i64>)> = c
        .state
        .db
        .opt(
            Query::new(
                "select c.title, c.preface, c.unit_id, u.path, c.created_by from research_compilations c \
                 join units u on u.id = c.unit_id where c.id = $1",
            )
            .bind(id),
        )
        .await?;
    let (title, preface, unit_id, path, by) = row.ok_or(AppError::NotFound)?;
    if !scope.allows(Target { unit_id, unit_path: &path, owner_id: by }) {
        return Err(AppError::Forbidden);
    }
    let secs = sections(&c.state.db, c.who, Collection::Compilation(id)).await?;
    let bytes = crate::officedoc::compilation(&title, &preface, &secs)?;
    Ok((title, bytes))
}
