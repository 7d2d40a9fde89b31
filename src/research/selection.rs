//! Excellent-results selection (优秀成果评选, Y7): a round with named judges,
//! outputs entered, each judge's score (0–100) per entry, and awards given by
//! average score when the round is closed.

use serde::{Deserialize, Serialize};

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Principal, Target};
use crate::db::{Db, DbResult, Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, id, optional, required};

/// The awards, from the highest.
pub const AWARDS: &[&str] = &["一等奖", "二等奖", "三等奖", "优秀奖"];

/// A round.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Round {
    /// Id.
    pub id: i64,
    /// Year.
    pub year: i64,
    /// Title.
    pub title: String,
    /// `open` or `closed`.
    pub state: String,
    /// The organising unit.
    pub unit_id: i64,
    /// Its path.
    #[serde(skip)]
    pub unit_path: String,
    /// Created by.
    pub created_by: Option<i64>,
    /// Entries.
    pub entries: i64,
}

impl Round {
    fn target(&self) -> Target<'_> {
        Target { unit_id: self.unit_id, unit_path: &self.unit_path, owner_id: self.created_by }
    }
}

const SELECT: &str = "select r.id, r.year, r.title, r.state, r.unit_id, u.path as unit_path, r.created_by, \
     (select count(*) from research_entries e where e.round_id = r.id) as entries \
     from research_rounds r join units u on u.id = r.unit_id";

/// Rounds of a year inside the scope (and those the person judges).
pub async fn list(db: &Db, who: &Principal, year: i64) -> DbResult<Vec<Round>> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.year = ").bind(year).push(" and (");
    who.scope(Module::Research, Action::Read).filter(&mut sql, "r.unit_id", Some("r.created_by"));
    sql.push(" or exists (select 1 from research_round_judges j where j.round_id = r.id and j.judge_id = ")
        .bind(who.account_id)
        .push(")) order by r.id desc");
    db.all(sql.build()).await
}

async fn is_judge(db: &Db, round_id: i64, account: i64) -> DbResult<bool> {
    let n: i64 = db
        .scalar(
            Query::new("select count(*) from research_round_judges where round_id = $1 and judge_id = $2")
                .bind(round_id)
                .bind(account),
        )
        .await?;
    Ok(n > 0)
}

/// Loads a round the caller may see (in scope, or as a judge); and whether they judge it.
pub async fn visible(c: &Caller<'_>, id: i64) -> AppResult<(Round, bool)> {
    let scope = c.who.scope(Module::Research, Action::Read);
    let mut sql = Sql::new(SELECT);
    sql.push(" where r.id = ").bind(id);
    let r: Round = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    let judge = is_judge(&c.state.db, id, c.who.account_id).await?;
    if scope.allows(r.target()) || judge { Ok((r, judge)) } else { Err(AppError::Forbidden) }
}

/// The judges of a round: (account id, name).
pub async fn judges(db: &Db, round_id: i64) -> DbResult<Vec<(i64, String)>> {
    db.all(
        Query::new(
            "select a.id, a.display_name from research_round_judges j join accounts a on a.id = j.judge_id \
             where j.round_id = $1 order by a.display_name, a.id",
        )
        .bind(round_id),
    )
    .await
}

/// An entry with its scores so far.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Entry {
    /// Id.
    pub id: i64,
    /// The output.
    pub output_id: i64,
    /// Its title.
    pub title: String,
    /// Its unit.
    pub unit_name: String,
    /// Scores given.
    pub scores: i64,
    /// Average score × 100 (integer, so both databases agree), none before any score.
    pub average_x100: Option<i64>,
    /// My score, if I judge.
    pub mine: Option<i64>,
    /// Award after closing.
    pub award: String,
}

/// Entries of a round, best average first.
pub async fn entries(db: &Db, round_id: i64, me: i64) -> DbResult<Vec<Entry>> {
    db.all(
        Query::new(
            "select e.id, e.output_id, o.title, u.name as unit_name, \
             (select count(*) from research_scores s where s.entry_id = e.id) as scores, \
             (select cast(sum(s.score) * 100 / count(*) as bigint) from research_scores s where s.entry_id = e.id) as average_x100, \
             (select s.score from research_scores s where s.entry_id = e.id and s.judge_id = $2) as mine, e.award \
             from research_entries e join research_outputs o on o.id = e.output_id join units u on u.id = o.unit_id \
             where e.round_id = $1 order by average_x100 desc, e.id",
        )
        .bind(round_id)
        .bind(me),
    )
    .await
}

/// A new round as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RoundInput {
    /// Title.
    pub title: String,
    /// Judges (account ids).
    pub judge_ids: Vec<String>,
}

/// Opens a round for this year.
pub async fn create(c: &Caller<'_>, input: &RoundInput) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    let mut check = Check::default();
    let title = check.take("title", required(&input.title, 100));
    let mut judges = Vec::new();
    for raw in input.judge_ids.iter().filter(|s| !s.trim().is_empty()) {
        if let Some(j) = check.take("judge_ids", id(raw))
            && !judges.contains(&j)
        {
            judges.push(j);
        }
    }
    if judges.is_empty() {
        check.fail("judge_ids", Msg::new("请至少指定一名评委"));
    }
    let title = check.finish(|| title)?;
    for j in &judges {
        let n: i64 = c
            .state
            .db
            .scalar(Query::new("select count(*) from accounts where id = $1 and status = 'active'").bind(*j))
            .await?;
        if n == 0 {
            return Err(FieldErrors::one("judge_ids", Msg::new("评委账户不存在或已停用")).into());
        }
    }
    let year = i64::from(c.today().year());
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_rounds (year, title, unit_id, created_by, created_at) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(year)
            .bind(title.as_str())
            .bind(c.who.unit_id)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    for j in &judges {
        tx.exec(
            Query::new("insert into research_round_judges (round_id, judge_id) values ($1, $2)")
                .bind(id)
                .bind(*j),
        )
        .await?;
    }
    let ev = Event::new("research.round.create", "research_round", id)
        .summary(format!("启动优秀成果评选“{title}”，评委{}名", judges.len()))
        .after(&serde_json::json!({ "judges": judges }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

fn require_open(r: &Round) -> AppResult<()> {
    if r.state == "open" { Ok(()) } else { Err(AppError::Conflict(Msg::new("评选已结束"))) }
}

/// Enters an output into an open round.
pub async fn add_entry(c: &Caller<'_>, round_id: i64, output_id: &str) -> AppResult<i64> {
    let (r, _) = visible(c, round_id).await?;
    c.who.require_on(Module::Research, Action::Write, r.target())?;
    require_open(&r)?;
    let mut check = Check::default();
    let output_id = check.take("output_id", id(output_id));
    let output_id = check.finish(|| output_id)?;
    let o = super::outputs::visible(c, output_id).await?;
    let mut tx = c.state.db.begin().await?;
    let dup: i64 = tx
        .scalar(
            Query::new("select count(*) from research_entries where round_id = $1 and output_id = $2")
                .bind(round_id)
                .bind(output_id),
        )
        .await?;
    if dup > 0 {
        return Err(AppError::Conflict(Msg::new("该成果已参评")));
    }
    let id: i64 = tx
        .scalar(
            Query::new("insert into research_entries (round_id, output_id) values ($1, $2) returning id")
                .bind(round_id)
                .bind(output_id),
        )
        .await?;
    let ev = Event::new("research.round.entry", "research_round", round_id)
        .summary(format!("“{}”参加评选“{}”", o.title, r.title));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// A judge scores an entry (0–100, changeable while the round is open).
pub async fn score(
    c: &Caller<'_>,
    round_id: i64,
    entry_id: &str,
    score: &str,
    comment: &str,
) -> AppResult<()> {
    let (r, judge) = visible(c, round_id).await?;
    if !judge {
        return Err(AppError::Forbidden);
    }
    require_open(&r)?;
    let mut check = Check::default();
    let entry = check.take("entry_id", id(entry_id));
    let value = check.take(
        "score",
        score
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|v| (0..=100).contains(v))
            .ok_or_else(|| Msg::new("评分应为0到100的整数")),
    );
    let comment = check.take("comment", optional(comment, 500));
    let (entry, value, comment) = check.finish(|| Some((entry?, value?, comment?)))?;
    let mut tx = c.state.db.begin().await?;
    let belongs: i64 = tx
        .scalar(
            Query::new("select count(*) from research_entries where id = $1 and round_id = $2")
                .bind(entry)
                .bind(round_id),
        )
        .await?;
    if belongs == 0 {
        return Err(AppError::NotFound);
    }
    tx.exec(
        Query::new("delete from research_scores where entry_id = $1 and judge_id = $2")
            .bind(entry)
            .bind(c.who.account_id),
    )
    .await?;
    tx.exec(
        Query::new("insert into research_scores (entry_id, judge_id, score, comment, at) values ($1, $2, $3, $4, $5)")
            .bind(entry)
            .bind(c.who.account_id)
            .bind(value)
            .bind(comment.as_str())
            .bind(c.now),
    )
    .await?;
    let ev = Event::new("research.round.score", "research_round", round_id)
        .summary(format!("评委为参评成果#{entry}打分{value}"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

/// How many of each award to give, from the best average down.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AwardCounts {
    /// 一等奖.
    pub first: String,
    /// 二等奖.
    pub second: String,
    /// 三等奖.
    pub third: String,
    /// 优秀奖.
    pub merit: String,
}

/// The awards for entries ranked by average (pure): ties with the last
/// awarded entry of a level share that level.
pub fn awards(averages: &[i64], counts: [usize; 4]) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(averages.len());
    let mut level = 0;
    let mut given = 0;
    for (i, avg) in averages.iter().enumerate() {
        while level < 4 && given >= counts[level] && !(i > 0 && averages[i - 1] == *avg && given > 0) {
            level += 1;
            given = 0;
        }
        if level >= 4 {
            out.push("");
            continue;
        }
        out.push(AWARDS[level]);
        given += 1;
    }
    out
}

/// Closes a round and gives the awards (Approve). Every entry must have a score from every judge.
pub async fn close(c: &Caller<'_>, round_id: i64, counts: &AwardCounts) -> AppResult<()> {
    let (r, _) = visible(c, round_id).await?;
    c.who.require_on(Module::Research, Action::Approve, r.target())?;
    require_open(&r)?;
    let mut check = Check::default();
    let n = |raw: &str| {
        if raw.trim().is_empty() {
            return Ok(0);
        }
        raw.trim().parse::<usize>().ok().filter(|v| *v <= 1000).ok_or_else(|| Msg::new("请填写名额（整数）"))
    };
    let first = check.take("first", n(&counts.first));
    let second = check.take("second", n(&counts.second));
    let third = check.take("third", n(&counts.third));
    let merit = check.take("merit", n(&counts.merit));
    let quota = check.finish(|| Some([first?, second?, third?, merit?]))?;
    let db = &c.state.db;
    let judges = judges(db, round_id).await?.len() as i64;
    let list = entries(db, round_id, c.who.account_id).await?;
    if list.is_empty() {
        return Err(AppError::Conflict(Msg::new("尚无参评成果")));
    }
    if let Some(e) = list.iter().find(|e| e.scores < judges) {
        return Err(AppError::Conflict(
            Msg::new("“{title}”尚有评委未打分（{n}/{m}）")
                .arg("title", &e.title)
                .arg("n", e.scores)
                .arg("m", judges),
        ));
    }
    let averages: Vec<i64> = list.iter().map(|e| e.average_x100.unwrap_or(0)).collect();
    let given = awards(&averages, quota);
    let mut tx = db.begin().await?;
    for (e, award) in list.iter().zip(&given) {
        tx.exec(Query::new("update research_entries set award = $1 where id = $2").bind(*award).bind(e.id))
            .await?;
    }
    tx.exec(Query::new("update research_rounds set state = 'closed' where id = $1").bind(round_id)).await?;
    let ev = Event::new("research.round.close", "research_round", round_id)
        .summary(format!("评选“{}”结束，获奖{}篇", r.title, given.iter().filter(|a| !a.is_empty()).count()))
        .after(&list.iter().zip(&given).map(|(e, a)| (e.output_id, *a)).collect::<Vec<_>>());
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn awards_follow_the_ranking_and_ties_share() {
        assert_eq!(
            awards(&[9500, 9000, 8800, 8000, 7000], [1, 1, 1, 1]),
            ["一等奖", "二等奖", "三等奖", "优秀奖", ""]
        );
        assert_eq!(awards(&[9500, 9500, 8800, 8000], [1, 1, 0, 0]), ["一等奖", "一等奖", "二等奖", ""]);
        assert_eq!(awards(&[9000, 8000], [0, 0, 2, 0]), ["三等奖", "三等奖"]);
        assert_eq!(awards(&[], [1, 1, 1, 1]), Vec::<&str>::new());
    }
}
