//! Excellent-results selection rounds.

use super::*;

#[derive(Serialize)]
struct RoundsPage {
    year: i64,
    rows: Vec<selection::Round>,
    people: Vec<(i64, String)>,
    can_write: bool,
    form: RoundInput,
    errors: Errors,
}

async fn rounds_page(
    ui: &Ui,
    year: &str,
    form: RoundInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let year = ui.year_or_this(year);
    let can_write = ui.user.can(Module::Research, Action::Write);
    let page = RoundsPage {
        year,
        rows: selection::list(&ui.state.db, &ui.user, year).await?,
        people: if can_write { people(&ui.state.db).await? } else { Vec::new() },
        can_write,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/rounds.html", page)
}

/// `GET /research/selection`
pub async fn rounds(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    rounds_page(&ui, &q.year, RoundInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/selection`
pub async fn create_round(ui: Ui, MultiForm(form): MultiForm<RoundInput>) -> AppResult<Response> {
    match saved_or(selection::create(&ui.caller(), &form).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/selection/{id}"), Msg::new("评选已启动"))),
        Err(e) => rounds_page(&ui, "", form, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Serialize)]
struct RoundPage {
    r: selection::Round,
    judge: bool,
    judges: Vec<(i64, String)>,
    entries: Vec<(selection::Entry, String)>,
    candidates: Vec<(i64, String)>,
    can_write: bool,
    can_close: bool,
}

/// `GET /research/selection/{id}`
pub async fn round(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let (r, judge) = selection::visible(&c, id).await?;
    let db = &ui.state.db;
    let entries = selection::entries(db, id, ui.user.account_id).await?;
    let open = r.state == "open";
    let can_write = open && ui.user.can(Module::Research, Action::Write);
    let candidates = if can_write {
        outputs::list(db, &ui.user, r.year, &outputs::Filter::default())
            .await?
            .into_iter()
            .filter(|o| !entries.iter().any(|e| e.output_id == o.id))
            .map(|o| (o.id, format!("{} {}", o.code, o.title)))
            .collect()
    } else {
        Vec::new()
    };
    let page = RoundPage {
        judge: judge && open,
        judges: selection::judges(db, id).await?,
        entries: entries
            .into_iter()
            .map(|e| {
                let avg =
                    e.average_x100.map_or_else(|| "—".to_string(), |a| format!("{}.{:02}", a / 100, a % 100));
                (e, avg)
            })
            .collect(),
        candidates,
        can_write,
        can_close: open && ui.user.can(Module::Research, Action::Approve),
        r,
    };
    ui.render("research/round.html", page)
}

/// `POST /research/selection/{id}/entries`
pub async fn add_entry(ui: Ui, Path(id): Path<i64>, Form(f): Form<ArticleForm>) -> AppResult<Response> {
    let back = format!("/research/selection/{id}");
    match selection::add_entry(&ui.caller(), id, &f.output_id).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("已加入参评"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// The score form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScoreForm {
    /// Entry id.
    pub entry_id: String,
    /// 0–100.
    pub score: String,
    /// Comment.
    pub comment: String,
}

/// `POST /research/selection/{id}/scores`
pub async fn score(ui: Ui, Path(id): Path<i64>, Form(f): Form<ScoreForm>) -> AppResult<Response> {
    let back = format!("/research/selection/{id}");
    match selection::score(&ui.caller(), id, &f.entry_id, &f.score, &f.comment).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("评分已保存"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `POST /research/selection/{id}/close`
pub async fn close_round(ui: Ui, Path(id): Path<i64>, Form(f): Form<AwardCounts>) -> AppResult<Response> {
    let back = format!("/research/selection/{id}");
    match selection::close(&ui.caller(), id, &f).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("评选结果已确定"))),
        Err(e) => ui.refused_or(&back, e),
    }
}
