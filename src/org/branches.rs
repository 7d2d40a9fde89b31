//! Party branches (党支部): the list people are assigned to. Managed by whoever
//! may write people records, scoped by the branch's unit.

use axum::Router;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::app::{AppState, Caller};
use crate::audit::{self, Event};
use crate::authz::{Action, Module, Target};
use crate::clock::Ts;
use crate::db::{Query, Sql};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::i18n::Msg;
use crate::validate::{Check, id, required};
use crate::web::Ui;

/// A branch row.
#[derive(Clone, Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Branch {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Unit it belongs to.
    pub unit_id: i64,
    /// Unit name.
    pub unit_name: String,
    /// Unit path.
    pub unit_path: String,
    /// `active` or `dissolved`.
    pub status: String,
    /// Members recorded.
    pub members: i64,
    /// Creating account.
    pub created_by: Option<i64>,
    /// Last change.
    pub updated_at: Ts,
}

const SELECT: &str = "select b.id, b.name, b.unit_id, u.name as unit_name, u.path as unit_path, b.status, \
     (select count(*) from persons p where p.branch_id = b.id and p.status = 'active') as members, b.created_by, b.updated_at \
     from party_branches b join units u on u.id = b.unit_id";

/// A branch as typed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct BranchInput {
    /// Branch name.
    pub name: String,
    /// Unit id.
    pub unit_id: String,
}

/// The pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/org/branches", get(list).post(create))
        .route("/org/branches/{id}/dissolve", post(dissolve))
}

#[derive(Serialize)]
struct Page {
    rows: Vec<Branch>,
    units: Vec<(i64, String)>,
    form: BranchInput,
    errors: std::collections::BTreeMap<String, String>,
    can_write: bool,
}

/// Branches in the caller's people scope.
pub async fn list_branches(c: &Caller<'_>) -> AppResult<Vec<Branch>> {
    let scope = c.who.require(Module::People, Action::Read)?;
    let mut sql = Sql::new(SELECT);
    sql.push(" where ");
    scope.filter(&mut sql, "b.unit_id", Some("b.created_by"));
    sql.push(" order by b.status, u.path, b.name limit 1000");
    Ok(c.state.db.all(sql.build()).await?)
}

async fn page(ui: &Ui, form: BranchInput, errors: FieldErrors, status: StatusCode) -> AppResult<Response> {
    let rows = list_branches(&ui.caller()).await?;
    let can_write = ui.user.can(Module::People, Action::Write);
    let units = if can_write {
        crate::org::units::store::options(&ui.state.db, &ui.user.scope(Module::People, Action::Write)).await?
    } else {
        Vec::new()
    };
    let page = Page { rows, units, form, errors: ui.field_errors(&errors), can_write };
    ui.render_status(status, "org/branches.html", page)
}

async fn list(ui: Ui) -> AppResult<Response> {
    page(&ui, BranchInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// Creates a branch.
pub async fn create_branch(c: &Caller<'_>, input: &BranchInput) -> AppResult<i64> {
    c.who.require(Module::People, Action::Write)?;
    let mut check = Check::default();
    let name = check.take("name", required(&input.name, 60));
    let unit_id = check.take("unit_id", id(&input.unit_id));
    let (name, unit_id) = check.finish(|| Some((name?, unit_id?)))?;
    let unit: Option<(String,)> = c
        .state
        .db
        .opt(Query::new("select path from units where id = $1 and status = 'active'").bind(unit_id))
        .await?;
    let Some((path,)) = unit else {
        return Err(FieldErrors::one("unit_id", Msg::new("所属单位不存在或已停用")).into());
    };
    c.who.require_on(
        Module::People,
        Action::Write,
        Target { unit_id, unit_path: &path, owner_id: Some(c.who.account_id) },
    )?;
    let mut tx = c.state.db.begin().await?;
    let id: i64 = tx
        .scalar(
            Query::new(
                "insert into party_branches (unit_id, name, status, created_by, created_at, updated_at) \
                 values ($1, $2, 'active', $3, $4, $4) returning id",
            )
            .bind(unit_id)
            .bind(&name)
            .bind(c.who.account_id)
            .bind(c.now),
        )
        .await?;
    let ev = Event::new("branch.create", "party_branch", id).summary(format!("新建党支部“{name}”"));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(id)
}

async fn create(ui: Ui, Form(form): Form<BranchInput>) -> AppResult<Response> {
    match create_branch(&ui.caller(), &form).await {
        Ok(_) => Ok(ui.done("/org/branches", Msg::new("党支部已新建"))),
        Err(AppError::Invalid(e)) => page(&ui, form, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(e) => Err(e),
    }
}

/// Dissolves a branch that has no members left.
pub async fn dissolve_branch(c: &Caller<'_>, id: i64) -> AppResult<()> {
    let mut sql = Sql::new(SELECT);
    sql.push(" where b.id = ").bind(id);
    let b: Branch = c.state.db.opt(sql.build()).await?.ok_or(AppError::NotFound)?;
    let target = Target { unit_id: b.unit_id, unit_path: &b.unit_path, owner_id: b.created_by };
    c.who.require_on(Module::People, Action::Write, target)?;
    if b.status != "active" {
        return Err(AppError::Conflict(Msg::new("党支部不存在或已撤销")));
    }
    if b.members > 0 {
        return Err(AppError::Conflict(
            Msg::new("该党支部还有{n}名党员，请先转出后再撤销").arg("n", b.members),
        ));
    }
    let mut tx = c.state.db.begin().await?;
    tx.exec(
        Query::new("update party_branches set status = 'dissolved', updated_at = $1 where id = $2")
            .bind(c.now)
            .bind(id),
    )
    .await?;
    let ev = Event::new("branch.dissolve", "party_branch", id).summary(format!("撤销党支部“{}”", b.name));
    audit::append(&mut tx, c.now, &c.actor, &ev).await?;
    tx.commit().await?;
    Ok(())
}

async fn dissolve(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    match dissolve_branch(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done("/org/branches", Msg::new("党支部已撤销"))),
        Err(e) => ui.refused_or("/org/branches", e),
    }
}

/// Party-branch endpoints.
pub mod api {
    use axum::Json;
    use axum::extract::Path;
    use axum::http::StatusCode;
    use utoipa_axum::router::OpenApiRouter;
    use utoipa_axum::routes;

    use super::{Branch, BranchInput, create_branch, dissolve_branch, list_branches};
    use crate::api::{ApiUser, Created};
    use crate::app::AppState;
    use crate::error::AppResult;

    /// Party branches in the caller's people scope.
    #[utoipa::path(get, path = "/branches", tag = "org", responses((status = 200, body = Vec<Branch>), (status = 403)))]
    pub async fn list(api: ApiUser) -> AppResult<Json<Vec<Branch>>> {
        Ok(Json(list_branches(&api.caller()).await?))
    }

    /// Creates a party branch.
    #[utoipa::path(post, path = "/branches", tag = "org", request_body = BranchInput, responses((status = 200, body = Created), (status = 403), (status = 422)))]
    pub async fn create(api: ApiUser, Json(input): Json<BranchInput>) -> AppResult<Json<Created>> {
        Ok(Json(Created { id: create_branch(&api.caller(), &input).await? }))
    }

    /// Dissolves a party branch without members.
    #[utoipa::path(post, path = "/branches/{id}/dissolve", tag = "org", params(("id" = i64, Path)), responses((status = 204), (status = 403), (status = 404), (status = 409)))]
    pub async fn dissolve(api: ApiUser, Path(id): Path<i64>) -> AppResult<StatusCode> {
        dissolve_branch(&api.caller(), id).await?;
        Ok(StatusCode::NO_CONTENT)
    }

    /// The routes.
    pub fn api() -> OpenApiRouter<AppState> {
        OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(dissolve))
    }
}
