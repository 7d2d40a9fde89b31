//! 《决策参考》: issues, articles, publishing and the Word file.

use super::*;

#[derive(Serialize)]
struct JournalPage {
    year: i64,
    rows: Vec<(journal::Issue, String)>,
    can_write: bool,
    form: journal::IssueInput,
    errors: Errors,
}

/// `GET /research/journal`
pub async fn journal(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    journal_page(&ui, &q.year, journal::IssueInput::default(), FieldErrors::default(), StatusCode::OK).await
}

async fn journal_page(
    ui: &Ui,
    year: &str,
    form: journal::IssueInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(year);
    let rows = journal::list(&ui.state.db, &ui.user, year).await?.into_iter().map(|i| {
        let line = i.issue_line();
        (i, line)
    });
    let page = JournalPage {
        year,
        rows: rows.collect(),
        can_write: ui.user.can(Module::Research, Action::Write),
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/journal.html", page)
}

/// `POST /research/journal`
pub async fn create_issue(ui: Ui, Form(f): Form<journal::IssueInput>) -> AppResult<Response> {
    match saved_or(journal::create(&ui.caller(), &f).await)? {
        Ok((id, no)) => {
            Ok(ui.done(&format!("/research/journal/{id}"), Msg::new("已新建第{no}期").arg("no", no)))
        }
        Err(e) => journal_page(&ui, "", f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

#[derive(Serialize)]
struct IssuePage {
    issue: journal::Issue,
    line: String,
    articles: Vec<journal::Article>,
    candidates: Vec<(i64, String)>,
    can_write: bool,
    can_export: bool,
}

/// `GET /research/journal/{id}`
pub async fn issue(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let issue = journal::visible(&c, id).await?;
    let db = &ui.state.db;
    let articles = journal::articles(db, id).await?;
    let can_write = issue.state == "editing" && ui.user.can(Module::Research, Action::Write);
    let candidates = if can_write {
        outputs::list(db, &ui.user, issue.year, &outputs::Filter::default())
            .await?
            .into_iter()
            .filter(|o| !articles.iter().any(|a| a.output_id == o.id))
            .map(|o| (o.id, format!("{} {}（{}）", o.code, o.title, o.unit_name)))
            .collect()
    } else {
        Vec::new()
    };
    let page = IssuePage {
        line: issue.issue_line(),
        can_export: ui.user.can(Module::Research, Action::Export),
        issue,
        articles,
        candidates,
        can_write,
    };
    ui.render("research/issue.html", page)
}

/// The article form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    /// Output id.
    pub output_id: String,
}

/// `POST /research/journal/{id}/articles`
pub async fn add_article(ui: Ui, Path(id): Path<i64>, Form(f): Form<ArticleForm>) -> AppResult<Response> {
    let back = format!("/research/journal/{id}");
    match journal::add_article(&ui.caller(), id, &f.output_id).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("已加入本期"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `POST /research/journal/{id}/publish`
pub async fn publish_issue(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let back = format!("/research/journal/{id}");
    match journal::publish(&ui.caller(), id).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("本期已印发"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `GET /research/journal/{id}/docx`
pub async fn issue_docx(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, bytes) = journal::docx(&ui.caller(), id).await?;
    Ok(crate::export::download_docx(&name, bytes))
}
