//! The insert helpers the city builder uses: one transaction, and an audit
//! record for every unit and account created (appended in one batch at the end).

use rand::RngExt;
use rand::rngs::StdRng;

use super::city::{Built, SignIn};
use crate::audit::{Actor, Event};
use crate::clock::Ts;
use crate::db::{Query, Tx};
use crate::org::units::model::UnitFields;
use crate::org::units::store as units;

/// A unit as the builder tracks it: (id, path, depth).
pub type Placed = (i64, String, i64);

/// The builder's state.
pub struct Ctx<'a> {
    /// The one transaction.
    pub tx: Tx,
    /// The seeded random source.
    pub rng: &'a mut StdRng,
    /// The moment of creation.
    pub now: Ts,
    /// The password hash every account gets.
    pub hash: String,
    /// Who the audit trail names.
    pub actor: Actor,
    /// Audit records to append at the end.
    pub events: Vec<(Ts, Actor, Event)>,
    /// Counts and sign-ins.
    pub built: Built,
    /// Role ids by code.
    pub roles: std::collections::HashMap<String, i64>,
}

impl Ctx<'_> {
    /// Adds a unit.
    pub async fn unit(
        &mut self,
        parent: Option<Placed>,
        name: &str,
        kind: &str,
        order: i64,
    ) -> anyhow::Result<Placed> {
        let f = UnitFields {
            name: name.to_string(),
            short_name: String::new(),
            code: None,
            kind: kind.to_string(),
            sort_order: order,
            note: String::new(),
        };
        let id = units::insert(
            &mut self.tx,
            parent.as_ref().map(|(i, p, d)| (*i, p.as_str(), *d)),
            &f,
            None,
            self.now,
        )
        .await?;
        let path = match &parent {
            Some((_, p, _)) => format!("{p}{id}/"),
            None => format!("/{id}/"),
        };
        let depth = parent.as_ref().map_or(0, |(_, _, d)| d + 1);
        self.events.push((
            self.now,
            self.actor.clone(),
            Event::new("unit.create", "unit", id).summary(format!("新增单位“{name}”")),
        ));
        self.built.units += 1;
        Ok((id, path, depth))
    }

    /// Adds a person.
    pub async fn person(
        &mut self,
        unit: i64,
        name: &str,
        position: &str,
        level: &str,
        branch: Option<i64>,
    ) -> anyhow::Result<i64> {
        let gender = if self.rng.random_bool(0.55) { "男" } else { "女" };
        let year = self.rng.random_range(1966..2001);
        let birth = time::Date::from_calendar_date(year, time::Month::January, 1)?
            .saturating_add(time::Duration::days(self.rng.random_range(0..365)));
        let reserve = level == "township" && self.rng.random_bool(0.3);
        let id: i64 = self
            .tx
            .scalar(
                Query::new(
                    "insert into persons (unit_id, name, gender, birth_date, position, cadre_level, reserve_cadre, party_member, \
                     branch_id, status, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10) returning id",
                )
                .bind(unit)
                .bind(name)
                .bind(gender)
                .bind(birth)
                .bind(position)
                .bind(level)
                .bind(reserve)
                .bind(branch.is_some())
                .bind(branch)
                .bind(self.now),
            )
            .await?;
        self.built.people += 1;
        Ok(id)
    }

    /// Adds an account with one role.
    pub async fn account(
        &mut self,
        username: &str,
        name: &str,
        unit: i64,
        person: Option<i64>,
        role: &str,
        must_change: bool,
    ) -> anyhow::Result<i64> {
        let id: i64 = self
            .tx
            .scalar(
                Query::new(
                    "insert into accounts (username, display_name, unit_id, person_id, password_hash, must_change_password, status, \
                     locale, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, 'active', 'zh', $7, $7) returning id",
                )
                .bind(username)
                .bind(name)
                .bind(unit)
                .bind(person)
                .bind(&self.hash)
                .bind(must_change)
                .bind(self.now),
            )
            .await?;
        let role_id = *self.roles.get(role).ok_or_else(|| anyhow::anyhow!("no role {role}"))?;
        self.tx
            .exec(
                Query::new("insert into account_roles (account_id, role_id) values ($1, $2)")
                    .bind(id)
                    .bind(role_id),
            )
            .await?;
        self.events.push((
            self.now,
            self.actor.clone(),
            Event::new("account.create", "account", id)
                .summary(format!("新增账户“{username}”并授予角色“{role}”")),
        ));
        self.built.accounts += 1;
        Ok(id)
    }

    /// Adds a party branch.
    pub async fn branch(&mut self, unit: i64, name: &str) -> anyhow::Result<i64> {
        let id: i64 = self
            .tx
            .scalar(
                Query::new("insert into party_branches (unit_id, name, status, created_at, updated_at) values ($1, $2, 'active', $3, $3) returning id")
                    .bind(unit)
                    .bind(name)
                    .bind(self.now),
            )
            .await?;
        Ok(id)
    }

    /// Remembers an account to print.
    pub fn note(&mut self, username: &str, what: &str) {
        self.built.sign_ins.push(SignIn { username: username.to_string(), what: what.to_string() });
    }
}
