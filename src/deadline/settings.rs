//! Each feature's colour rules, stored as a settings document
//! (`colours.<feature>`) and edited by the system administrator at
//! `/admin/settings/colours`. Saving recolours the feature's open items in
//! the same transaction, so lists never disagree with the rules.

use serde::{Deserialize, Serialize};

use super::model::Rules;
use crate::app::Caller;
use crate::audit::{self, Event};
use crate::authz::{Action, Module};
use crate::clock::Ts;
use crate::db::{Db, DbResult, Query, Tx};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::Check;

/// Features that keep colours: (code, label).
pub const FEATURES: &[(&str, &str)] = &[
    ("reform", "改革任务"),
    ("rectification", "整改事项"),
    ("research", "调研课题"),
    ("instruction", "批示落实"),
    ("liaison", "基层问题办理"),
];

/// Reads a feature's rules (defaults when unset).
pub async fn rules(db: &Db, feature: &str) -> DbResult<Rules> {
    let key = format!("colours.{feature}");
    let raw: Option<(String,)> =
        db.opt(Query::new("select value from settings where key = $1").bind(key)).await?;
    Ok(raw.and_then(|(v,)| serde_json::from_str(&v).ok()).unwrap_or_default())
}

/// Stores a feature's rules.
pub async fn save(tx: &mut Tx, feature: &str, rules: &Rules, now: Ts, by: Option<i64>) -> DbResult<()> {
    crate::dicts::settings::write(tx, &format!("colours.{feature}"), rules, now, by).await
}

/// The rules as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RulesInput {
    /// Days before a deadline that turn it yellow.
    pub due_soon_days: String,
    /// Points of lag that turn it yellow.
    pub lag_points: String,
    /// Days a milestone may be late before it turns red.
    pub milestone_red_days: String,
}

impl RulesInput {
    /// The form values of stored rules.
    pub fn of(r: &Rules) -> RulesInput {
        RulesInput {
            due_soon_days: r.due_soon_days.to_string(),
            lag_points: r.lag_points.to_string(),
            milestone_red_days: r.milestone_red_days.to_string(),
        }
    }

    /// Parses and checks the rules.
    pub fn parse(&self) -> Result<Rules, FieldErrors> {
        let mut c = Check::default();
        let n = |raw: &str| raw.trim().parse::<i64>().map_err(|_| Msg::new("请填写整数"));
        let due = c.take("due_soon_days", n(&self.due_soon_days));
        let lag = c.take("lag_points", n(&self.lag_points));
        let red = c.take("milestone_red_days", n(&self.milestone_red_days));
        let rules =
            c.finish(|| Some(Rules { due_soon_days: due?, lag_points: lag?, milestone_red_days: red? }))?;
        rules.validate().map_err(|(field, m)| FieldErrors::one(field, m))?;
        Ok(rules)
    }
}

/// Saves a feature's rules and recolours its open items.
pub async fn update(c: &Caller<'_>, feature: &str, input: &RulesInput) -> AppResult<Rules> {
    c.who.require(Module::Settings, Action::Write)?;
    let label = FEATURES.iter().find(|(f, _)| *f == feature).map(|(_, l)| *l).ok_or(AppError::NotFound)?;
    let new = input.parse()?;
    let before = rules(&c.state.db, feature).await?;
    let today = c.state.clock.today();
    let mut tx = c.state.db.begin().await?;
    save(&mut tx, feature, &new, c.now, c.account()).await?;
    let changed = match feature {
        "reform" => crate::reform::colour::refresh(&mut tx, None, &new, today, c.now).await?.len(),
        "research" => crate::research::topics::refresh(&mut tx, None, &new, today).await?,
        "instruction" => crate::research::instructions::refresh(&mut tx, None, &new, today).await?,
        _ => crate::rectify::refresh(&mut tx, None, &new, today).await?,
    };
    let ev = Event::new("setting.update", "setting", format!("colours.{feature}"))
        .summary(format!("修改{label}四色督办规则，{changed}项颜色随之变化"))
        .before(&before)
        .after(&new);
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(new)
}
