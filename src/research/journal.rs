//! 《决策参考》 (Y4): the office's internal periodical. Issues are numbered per
//! year (2026年第12期) and overall (总第87期) when they are opened; articles are
//! drawn from outputs; an issue is published with its distribution list and
//! exported in official layout.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Target};
use crate::db::{Db, DbResult, Query, Sql, is_unique_violation};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::validate::{Check, id, optional};

/// The periodical's name.
pub const NAME: &str = "决策参考";

/// An issue.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Issue {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Number within the year.
    pub no: i64,
    /// Number since the first issue.
    pub total_no: i64,
    /// Theme (may be empty).
    pub theme: String,
    /// `editing` or `published`.
    pub state: String,
    /// Distribution list.
    pub distribution: String,
    /// Published.
    pub published_on: Option<Date>,
    /// The editing unit.
    pub unit_id: i64,
    /// Its name.
    pub unit_name: String,
    /// Its path.
    #[serde(skip)]
    pub unit_path: String,
    /// Created by.
    pub created_by: Option<i64>,
    /// Articles.
    pub articles: i64,
}

impl Issue {
    /// “2026年第12期（总第87期）”.
    pub fn issue_line(&self) -> String {
        format!("{}年第{}期（总第{}期）", self.year, self.no, self.total_no)
    }

    fn target(&self) -> Target<'_> {
        Target { unit_id: self.unit_id, unit_path: &self.unit_path, owner_id: self.created_by }
    }
}

const SELECT: &str = "select s.id, s.year, s.no, s.total_no, s.theme, s.state, s.distribution, s.published_on, s.unit_id, \
     u.name as unit_name, u.path as unit_path, s.created_by, \
     (select count(*) from research_issue_articles a where a.issue_id = s.id) as articles \
     from research_issues s join units u on u.id = s.unit_id";

/// Issues of a year inside the scope, newest first.
pub async fn list(db: &Db, who: &Principal, year: i64) -> DbResult<Vec<Issue>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where s.year = ").bind(year).push(" and ");
    who.scope(Module::Research, Action::Read).filter(&mut sql, "s.unit_id", Some("s.created_by"));
    sql.push(" order by s.no desc");
    db.all(sql.build()).await
}

/// Loads an issue the caller may see.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<Issue> {
    let scope = c.who.require(Module::Research, Action::Read)?;
    let mut sql = Sql::new(SELECT);
    sql.push(" where s.id = ").bind(id);
    let i: Issue = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    if scope.allows(i.target()) { Ok(i) } else { Err(AppError::Forbidden) }
}

async fn editable(c: &Caller<'_>, id: i64) -> AppResult<Issue> {
    let i = visible(c, id).await?;
    c.who.require_on(Module::Research, Action::Write, i.target())?;
    if i.state != "editing" {
        return Err(AppError::Conflict(Msg::new("本期已印发，不能再修改")));
    }
    Ok(i)
}

/// An article in an issue.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Article {
    /// The output.
    pub output_id: i64,
    /// Its code.
    pub code: String,
    /// Title.
    pub title: String,
    /// Unit.
    pub unit_name: String,
    /// Authors.
    pub authors: String,
    /// Characters.
    pub chars: i64,
}

/// Articles of an issue, in order.
pub async fn articles(db: &Db, issue_id: i64) -> DbResult<Vec<Article>> {
    db.all(
        Query::new(
            "select o.id as output_id, o.code, o.title, u.name as unit_name, o.authors, o.chars \
             from research_issue_articles a join research_outputs o on o.id = a.output_id \
             join units u on u.id = o.unit_id where a.issue_id = $1 order by a.sort",
        )
        .bind(issue_id),
    )
    .await
}

/// Issues that carried an output (“已刊发于2026年第12期”).
pub async fn carrying(db: &Db, output_id: i64) -> DbResult<Vec<(i64, i64, i64)>> {
    db.all(
        Query::new(
            "select s.id, s.year, s.no from research_issue_articles a join research_issues s on s.id = a.issue_id \
             where a.output_id = $1 order by s.year, s.no",
        )
        .bind(output_id),
    )
    .await
}

/// A new issue as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IssueInput {
    /// Theme (optional).
    pub theme: String,
    /// Distribution list.
    pub distribution: String,
}

/// Opens the next issue of this year; returns its id and number.
///
/// The numbers are taken inside the transaction and protected by the unique
/// (year, no) key: two editors on two nodes opening an issue at the same
/// moment get consecutive numbers (the loser retries), never the same one.
pub async fn create(c: &Caller<'_>, input: &IssueInput) -> AppResult<(i64, i64)> {
    c.who.require(Module::Research, Action::Write)?;
    let mut check = Check::default();
    let theme = check.take("theme", optional(&input.theme, 100));
    let distribution = check.take("distribution", optional(&input.distribution, 500));
    let (theme, distribution) = check.finish(|| Some((theme?, distribution?)))?;
    let year = i64::from(c.today().year());
    for _ in 0..5 {
        let mut tx = c.state.db.begin().await?;
        let no: i64 = tx
            .scalar(
                Query::new("select coalesce(max(no), 0) + 1 from research_issues where year = $1").bind(year),
            )
            .await?;
        let total: i64 =
            tx.scalar(Query::new("select coalesce(max(total_no), 0) + 1 from research_issues")).await?;
        let inserted = tx
            .scalar::<i64>(
                Query::new(
                    "insert into research_issues (year, no, total_no, unit_id, theme, distribution, created_by, created_at) \
                     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
                )
                .bind(year)
                .bind(no)
                .bind(total)
                .bind(c.who.unit_id)
                .bind(theme.as_str())
                .bind(distribution.as_str())
                .bind(c.account())
                .bind(c.now),
            )
            .await;
        let id = match inserted {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        };
        let ev = Event::new("research.issue.create", "research_issue", id)
            .summary(format!("编辑《{NAME}》{year}年第{no}期（总第{total}期）"));
        audit::append(&mut tx, c.now, &c.actor, &ev).await?;
        tx.commit().await?;
        return Ok((id, no));
    }
    Err(AppError::Conflict(Msg::new("期号分配冲突，请稍后重试")))
}

/// Adds an output to an issue being edited.
pub async fn add_article(c: &Caller<'_>, issue_id: i64, output_id: &str) -> AppResult<()> {
    let i = editable(c, issue_id).await?;
    let mut check = Check::default();
    let output_id = check.take("output_id", id(output_id));
    let output_id = check.finish(|| output_id)?;
    let o = super::outputs::visible(c, output_id).await?;
    let mut tx = c.state.db.begin().await?;
    let exists: i64 = tx
        .scalar(
            Query::new("select count(*) from research_issue_articles where issue_id = $1 and output_id = $2")
                .bind(issue_id)
                .bind(output_id),
        )
        .await?;
    if exists > 0 {
        return Err(AppError::Conflict(Msg::new("该成果已在本期中")));
    }
    let sort: i64 = tx
        .scalar(
            Query::new("select coalesce(max(sort), 0) + 1 from research_issue_articles where issue_id = $1")
                .bind(issue_id),
        )
        .await?;
    tx.exec(
        Query::new("insert into research_issue_articles (issue_id, output_id, sort) values ($1, $2, $3)")
            .bind(issue_id)
            .bind(output_id)
            .bind(sort),
    )
    .await?;
    let ev = Event::new("research.issue.article", "research_issue", issue_id).summary(format!(
        "《{NAME}》{}收录“{}”",
        i.issue_line(),
        o.title
    ));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes an issue (it needs at least one article and a distribution list).
pub async fn publish(c: &Caller<'_>, issue_id: i64) -> AppResult<()> {
    let i = editable(c, issue_id).await?;
    if i.articles == 0 {
        return Err(AppError::Conflict(Msg::new("本期还没有文章，不能印发")));
    }
    if i.distribution.trim().is_empty() {
        return Err(AppError::Conflict(Msg::new("请先填写报送范围")));
    }
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update research_issues set state = 'published', published_on = $1 where id = $2 and state = 'editing'")
            .bind(c.today())
            .bind(issue_id),
    )
    .await?;
    let ev = Event::new("research.issue.publish", "research_issue", issue_id).summary(format!(
        "印发《{NAME}》{}，{}篇",
        i.issue_line(),
        i.articles
    ));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// The issue as a docx in official layout (Export): (file name, bytes).
pub async fn docx(c: &Caller<'_>, issue_id: i64) -> AppResult<(String, Vec<u8>)> {
    let i = visible(c, issue_id).await?;
    c.who.require_on(Module::Research, Action::Export, i.target())?;
    let secs =
        super::outputs::sections(&c.state.db, c.who, super::outputs::Collection::Issue(issue_id)).await?;
    let day = i.published_on.unwrap_or_else(|| c.today());
    let head = crate::officedoc::Masthead {
        name: NAME.to_string(),
        issue_line: i.issue_line(),
        editor: i.unit_name.clone(),
        date: format!("{}年{}月{}日", day.year(), u8::from(day.month()), day.day()),
        mark: "内部资料　注意保存".to_string(),
    };
    let bytes = crate::officedoc::periodical(&head, &secs, &i.distribution)?;
    Ok((format!("{NAME}{}年第{}期", i.year, i.no), bytes))
}
