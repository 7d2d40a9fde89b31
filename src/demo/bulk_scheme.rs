//! This year's assessment scheme for `zhengyan gen`, so the ranking of all
//! units can be measured at scale.

use rand::RngExt;
use rand::rngs::StdRng;

use crate::clock::Ts;
use crate::db::Query;

/// This year's assessment scheme (the built-in indicators) with the entered
/// indicators scored for every unit that leads a task this year, made through
/// the same actions the office uses, so the ranking has the whole city to rank.
pub async fn generate(
    state: &crate::app::AppState,
    rng: &mut StdRng,
    now: Ts,
    year: i32,
) -> anyhow::Result<()> {
    let db = &state.db;
    let office: i64 = db
        .scalar(Query::new(
            "select min(a.id) from accounts a join account_roles ar on ar.account_id = a.id join roles r on r.id = ar.role_id \
             where r.code = 'reform_staff'",
        ))
        .await?;
    let who = crate::authz::Principal::load(db, office)
        .await?
        .ok_or_else(|| anyhow::anyhow!("gen needs an active reform office account"))?;
    let c = super::reform::caller(state, &who, now);
    let failed = |e: crate::error::AppError| anyhow::anyhow!("assessment scheme: {e:?}");
    crate::reform::assessment::create_scheme(&c, &year.to_string()).await.map_err(failed)?;
    let leads: Vec<(i64,)> = db
        .all(
            Query::new("select distinct lead_unit_id from reform_tasks where year = $1 order by 1")
                .bind(i64::from(year)),
        )
        .await?;
    let entered: Vec<(i64,)> = db
        .all(
            Query::new(
                "select i.id from reform_indicators i join reform_schemes s on s.id = i.scheme_id \
                 where s.year = $1 and i.kind = 'entered'",
            )
            .bind(i64::from(year)),
        )
        .await?;
    for (indicator,) in entered {
        let values: Vec<(String, String)> =
            leads.iter().map(|(u,)| (u.to_string(), rng.random_range(2..=10).to_string())).collect();
        crate::reform::assessment::save_entries(&c, indicator, &values).await.map_err(failed)?;
    }
    println!("考核方案：{year}年，{}个牵头单位", leads.len());
    Ok(())
}
