//! Research funds (课题经费) and data purchases (数据采买, Y8): budget lines
//! per topic, spending requests against a line, approval or rejection. A
//! request that would take a line's approved and pending spending past its
//! budget is refused, and so is an approval that would; each step is in the
//! audit trail.
//!
//! Amounts are kept in fen (分) as integers.

use serde::{Deserialize, Serialize};

use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};
use crate::error::{AppError, AppResult};
use crate::i18n::Msg;
use crate::validate::{Check, id, optional, required};

/// Kinds of spending.
pub const KINDS: &[(&str, &str)] = &[
    ("survey", "调研差旅"),
    ("data", "数据采买"),
    ("expert", "专家咨询"),
    ("meeting", "座谈会议"),
    ("printing", "印刷出版"),
    ("other", "其他"),
];

/// A budget line with what is spent and pending.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Budget {
    /// Id.
    pub id: i64,
    /// The topic.
    pub topic_id: i64,
    /// Item (“问卷调查与数据采买”).
    pub item: String,
    /// Budget in fen.
    pub amount: i64,
    /// Approved spending in fen.
    pub approved: i64,
    /// Pending requests in fen.
    pub pending: i64,
}

const BUDGETS: &str = "select b.id, b.topic_id, b.item, b.amount, \
     cast(coalesce((select sum(s.amount) from research_spending s where s.budget_id = b.id and s.state = 'approved'), 0) as bigint) as approved, \
     cast(coalesce((select sum(s.amount) from research_spending s where s.budget_id = b.id and s.state = 'pending'), 0) as bigint) as pending \
     from research_budgets b";

/// A topic's budget lines.
pub async fn budgets(db: &Db, topic_id: i64) -> DbResult<Vec<Budget>> {
    let mut sql = crate::db::Sql::new(BUDGETS);
    sql.push(" where b.topic_id = ").bind(topic_id).push(" order by b.id");
    db.all(sql.build()).await
}

async fn budget_in(tx: &mut Tx, id: i64) -> DbResult<Option<Budget>> {
    let mut sql = crate::db::Sql::new(BUDGETS);
    sql.push(" where b.id = ").bind(id);
    tx.opt(sql.build()).await
}

/// Serialises every spending decision on one budget line: a no-op update
/// takes the row's write lock (PostgreSQL) or the database's (SQLite) before
/// the sums are read, so two requests on two nodes cannot both fit.
async fn lock_budget(tx: &mut Tx, id: i64) -> DbResult<()> {
    tx.exec(Query::new("update research_budgets set amount = amount where id = $1").bind(id)).await?;
    Ok(())
}

/// A spending request.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Spending {
    /// Id.
    pub id: i64,
    /// Budget line.
    pub budget_id: i64,
    /// Its item.
    pub item: String,
    /// Kind code.
    pub kind: String,
    /// What for.
    pub description: String,
    /// Vendor (for data purchases).
    pub vendor: String,
    /// Amount in fen.
    pub amount: i64,
    /// `pending`, `approved`, `rejected`.
    pub state: String,
    /// Requested by.
    pub requester: String,
    /// At.
    pub requested_at: Ts,
    /// Decided by.
    pub decider: Option<String>,
    /// Decision note.
    pub decision_note: String,
}

/// A topic's spending, newest first.
pub async fn spending(db: &Db, topic_id: i64) -> DbResult<Vec<Spending>> {
    db.all(
        Query::new(
            "select s.id, s.budget_id, b.item, s.kind, s.description, s.vendor, s.amount, s.state, \
             coalesce(r.display_name, '') as requester, s.requested_at, d.display_name as decider, s.decision_note \
             from research_spending s join research_budgets b on b.id = s.budget_id \
             left join accounts r on r.id = s.requested_by left join accounts d on d.id = s.decided_by \
             where b.topic_id = $1 order by s.id desc",
        )
        .bind(topic_id),
    )
    .await
}

/// A budget line as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BudgetInput {
    /// Item.
    pub item: String,
    /// Amount in yuan.
    pub amount: String,
}

/// Adds a budget line to a topic (Approve on the topic's unit: budgets are set by the office).
pub async fn add_budget(c: &Caller<'_>, topic_id: i64, input: &BudgetInput) -> AppResult<i64> {
    let t = super::topics::visible(c, topic_id).await?;
    c.who.require(Module::Research, Action::Write)?;
    if !c.who.scope(Module::Research, Action::Write).is_all() {
        return Err(AppError::Forbidden);
    }
    let mut check = Check::default();
    let item = check.take("item", required(&input.item, 100));
    let amount = check.take("amount", super::parse_yuan(&input.amount));
    let (item, amount) = check.finish(|| Some((item?, amount?)))?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_budgets (topic_id, item, amount, created_by, created_at) values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(topic_id)
            .bind(item.as_str())
            .bind(amount)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("research.budget.create", "research_topic", topic_id).summary(format!(
        "{}经费预算：{item} {}元",
        t.code,
        super::yuan(amount)
    ));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// A spending request as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SpendingInput {
    /// Budget line id.
    pub budget_id: String,
    /// Kind code.
    pub kind: String,
    /// What for.
    pub description: String,
    /// Vendor.
    pub vendor: String,
    /// Amount in yuan.
    pub amount: String,
}

fn overspend(b: &Budget, extra: i64) -> Msg {
    Msg::new("超出预算：“{item}”预算{budget}元，已批准{approved}元、待审批{pending}元，本次{amount}元")
        .arg("item", &b.item)
        .arg("budget", super::yuan(b.amount))
        .arg("approved", super::yuan(b.approved))
        .arg("pending", super::yuan(b.pending))
        .arg("amount", super::yuan(extra))
}

/// Requests spending against a budget line (Write on the topic). Refused
/// when approved + pending + this would pass the budget.
pub async fn request(c: &Caller<'_>, input: &SpendingInput) -> AppResult<i64> {
    c.who.require(Module::Research, Action::Write)?;
    let mut check = Check::default();
    let budget_id = check.take("budget_id", id(&input.budget_id));
    let kind = check.take("kind", crate::validate::choice(KINDS, &input.kind, "请选择支出类别"));
    let description = check.take("description", required(&input.description, 300));
    let vendor = check.take("vendor", optional(&input.vendor, 100));
    let amount = check.take("amount", super::parse_yuan(&input.amount));
    if kind.as_deref() == Some("data") && vendor.as_deref().is_some_and(str::is_empty) {
        check.fail("vendor", Msg::new("数据采买应填写数据提供方"));
    }
    let (budget_id, kind, description, vendor, amount) =
        check.finish(|| Some((budget_id?, kind?, description?, vendor?, amount?)))?;
    let mut tx = c.state.db.begin().await?;
    lock_budget(&mut tx, budget_id).await?;
    let b = budget_in(&mut tx, budget_id).await?.ok_or(AppError::NotFound)?;
    super::topics::writable(c, b.topic_id).await?;
    if b.approved + b.pending + amount > b.amount {
        return Err(AppError::Conflict(overspend(&b, amount)));
    }
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into research_spending (budget_id, kind, description, vendor, amount, requested_by, requested_at) \
                 values ($1, $2, $3, $4, $5, $6, $7) returning id",
            )
            .bind(budget_id)
            .bind(kind.as_str())
            .bind(description.as_str())
            .bind(vendor.as_str())
            .bind(amount)
            .bind(c.account())
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("research.spending.request", "research_spending", id)
        .summary(format!("申请经费“{}”：{description} {}元", b.item, super::yuan(amount)))
        .after(&serde_json::json!({ "kind": kind, "vendor": vendor, "amount_fen": amount }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

/// Approves or rejects a pending request (Approve).
pub async fn decide(c: &Caller<'_>, spending_id: i64, approve: bool, note: &str) -> AppResult<()> {
    c.who.require(Module::Research, Action::Approve)?;
    let mut check = Check::default();
    let note = check.take("decision_note", optional(note, 300));
    if !approve && note.as_deref().is_some_and(str::is_empty) {
        check.fail("decision_note", Msg::new("不予批准时请写明理由"));
    }
    let note = check.finish(|| note)?;
    let mut tx = c.state.db.begin().await?;
    let row: Option<(i64, i64, String)> = tx
        .opt(
            Query::new("select budget_id, amount, state from research_spending where id = $1")
                .bind(spending_id),
        )
        .await?;
    let (budget_id, amount, state) = row.ok_or(AppError::NotFound)?;
    lock_budget(&mut tx, budget_id).await?;
    let b = budget_in(&mut tx, budget_id).await?.ok_or(AppError::NotFound)?;
    let t = super::topics::visible(c, b.topic_id).await?;
    if state != "pending" {
        return Err(AppError::Conflict(Msg::new("该申请已处理")));
    }
    if approve && b.approved + amount > b.amount {
        return Err(AppError::Conflict(overspend(&b, amount)));
    }
    let to = if approve { "approved" } else { "rejected" };
    let n = tx
        .exec(
            Query::new(
                "update research_spending set state = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
                 where id = $5 and state = 'pending'",
            )
            .bind(to)
            .bind(c.account())
            .bind(c.now)
            .bind(note.as_str())
            .bind(spending_id),
        )
        .await?;
    if n == 0 {
        return Err(AppError::Conflict(Msg::new("该申请已处理")));
    }
    let ev = Event::new(
        if approve { "research.spending.approve" } else { "research.spending.reject" },
        "research_spending",
        spending_id,
    )
    .summary(format!(
        "{}经费“{}”{}元{}",
        t.code,
        b.item,
        super::yuan(amount),
        if approve { "批准" } else { "不予批准" }
    ))
    .after(&serde_json::json!({ "note": note }));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}
