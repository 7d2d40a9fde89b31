//! Topics, milestones, the focus areas and the funds of a topic.

use super::*;

#[derive(Serialize)]
struct TopicsPage {
    year: i64,
    f: topics::Filter,
    rows: Vec<topics::Topic>,
    focus: Vec<topics::Focus>,
    focus_options: Vec<(i64, String)>,
    colours: Vec<(String, i64)>,
    kinds: Pairs,
    levels: Pairs,
    stages: Pairs,
    can_write: bool,
    can_plan: bool,
    units: Vec<(i64, String)>,
    member_units: Vec<(i64, String)>,
    form: topics::TopicInput,
    errors: Errors,
}

async fn topics_page(
    ui: &Ui,
    f: topics::Filter,
    form: topics::TopicInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let focus = topics::focus_areas(db, year).await?;
    let page = TopicsPage {
        year,
        rows: topics::list(db, &ui.user, year, &f).await?,
        f,
        focus_options: focus.iter().map(|x| (x.id, x.title.clone())).collect(),
        focus,
        colours: topics::colour_counts(db, &ui.user, year).await?,
        kinds: topics::KINDS,
        levels: topics::LEVELS,
        stages: topics::STAGES,
        can_write,
        can_plan: can_write && ui.user.scope(Module::Research, Action::Write).is_all(),
        units: if can_write { write_units(ui).await? } else { Vec::new() },
        member_units: if can_write { all_units(ui).await? } else { Vec::new() },
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/topics.html", page)
}

/// `GET /research`
pub async fn topics(ui: Ui, Query(f): Query<topics::Filter>) -> AppResult<Response> {
    let today = ui.state.clock.today();
    let form = topics::TopicInput { start_on: today.to_string(), ..topics::TopicInput::default() };
    topics_page(&ui, f, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research`
pub async fn create_topic(ui: Ui, MultiForm(form): MultiForm<topics::TopicInput>) -> AppResult<Response> {
    match saved_or(topics::create(&ui.caller(), &form).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/topics/{id}"), Msg::new("课题已立项"))),
        Err(e) => {
            topics_page(&ui, topics::Filter::default(), form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The focus-area form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FocusForm {
    /// Year.
    pub year: String,
    /// Title.
    pub focus_title: String,
}

/// `POST /research/focus`
pub async fn add_focus(ui: Ui, Form(f): Form<FocusForm>) -> AppResult<Response> {
    let year = ui.year_or_this(&f.year);
    let back = format!("/research?year={year}");
    match topics::add_focus(&ui.caller(), year, &f.focus_title).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("已添加调研重点"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

#[derive(Serialize)]
struct TopicPage {
    topic: topics::Topic,
    kind_label: &'static str,
    level_label: &'static str,
    stages: Vec<(String, &'static str, String, Option<String>)>,
    team: Vec<topics::Member>,
    outputs: Vec<outputs::Output>,
    budgets: Vec<(funds::Budget, String, String, String)>,
    spending: Vec<(funds::Spending, String)>,
    spending_kinds: Pairs,
    can_write: bool,
    can_budget: bool,
    can_approve: bool,
    today: String,
}

/// `GET /research/topics/{id}`
pub async fn topic(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let c = ui.caller();
    let t = topics::visible(&c, id).await?;
    let db = &ui.state.db;
    let stages = topics::milestones(db, id)
        .await?
        .into_iter()
        .map(|m| {
            (
                m.stage.clone(),
                crate::research::label_of(topics::STAGES, &m.stage),
                m.due_on.to_string(),
                m.done_on.map(|d| d.to_string()),
            )
        })
        .collect();
    let f = outputs::Filter { topic: id.to_string(), year: t.year.to_string(), ..outputs::Filter::default() };
    let mut outs = outputs::list(db, &ui.user, t.year, &f).await?;
    if outs.is_empty() && t.finished_on.is_some() {
        // Outputs may be finished the year after the topic started.
        outs = outputs::list(db, &ui.user, t.year + 1, &f).await?;
    }
    let can_write = ui.user.can(Module::Research, Action::Write)
        && c.who.scope(Module::Research, Action::Write).allows(crate::authz::Target {
            unit_id: t.lead_unit_id,
            unit_path: &t.unit_path,
            owner_id: t.created_by,
        });
    let page = TopicPage {
        kind_label: crate::research::label_of(topics::KINDS, &t.kind),
        level_label: crate::research::label_of(topics::LEVELS, &t.level),
        stages,
        team: topics::team(db, id).await?,
        outputs: outs,
        budgets: funds::budgets(db, id)
            .await?
            .into_iter()
            .map(|b| {
                let (a, p, left) = (
                    crate::research::yuan(b.approved),
                    crate::research::yuan(b.pending),
                    crate::research::yuan(b.amount - b.approved - b.pending),
                );
                (b, a, p, left)
            })
            .map(|(b, a, p, left)| {
                let amount = crate::research::yuan(b.amount);
                (b, amount, format!("{a} / {p}"), left)
            })
            .collect(),
        spending: funds::spending(db, id)
            .await?
            .into_iter()
            .map(|s| {
                let y = crate::research::yuan(s.amount);
                (s, y)
            })
            .collect(),
        spending_kinds: funds::KINDS,
        can_budget: can_write && ui.user.scope(Module::Research, Action::Write).is_all(),
        can_approve: ui.user.can(Module::Research, Action::Approve),
        can_write,
        today: ui.state.clock.today().to_string(),
        topic: t,
    };
    ui.render("research/topic.html", page)
}

/// The milestone form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    /// Stage code.
    pub stage: String,
    /// Date reached (default today).
    pub done_on: String,
}

/// `POST /research/topics/{id}/milestones`
pub async fn milestone_done(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<MilestoneForm>,
) -> AppResult<Response> {
    let back = format!("/research/topics/{id}");
    match topics::milestone_done(&ui.caller(), id, &f.stage, &f.done_on).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("已记录节点完成"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// `POST /research/topics/{id}/budgets`
pub async fn add_budget(ui: Ui, Path(id): Path<i64>, Form(f): Form<BudgetInput>) -> AppResult<Response> {
    let back = format!("/research/topics/{id}#funds");
    match funds::add_budget(&ui.caller(), id, &f).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("已添加预算"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// The spending form (carries the topic for the way back).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SpendingForm {
    /// Topic id.
    pub topic_id: String,
    /// The request.
    #[serde(flatten)]
    pub input: SpendingInput,
}

/// `POST /research/spending`
pub async fn request_spending(ui: Ui, Form(f): Form<SpendingForm>) -> AppResult<Response> {
    let back = format!("/research/topics/{}#funds", f.topic_id.trim().parse::<i64>().unwrap_or(0));
    match funds::request(&ui.caller(), &f.input).await {
        Ok(_) => Ok(ui.done(&back, Msg::new("经费申请已提交，等待审批"))),
        Err(e) => ui.refused_or(&back, e),
    }
}

/// The decision form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecideForm {
    /// Topic id.
    pub topic_id: String,
    /// `approve` or `reject`.
    pub decision: String,
    /// Note.
    pub decision_note: String,
}

/// `POST /research/spending/{id}/decide`
pub async fn decide_spending(ui: Ui, Path(id): Path<i64>, Form(f): Form<DecideForm>) -> AppResult<Response> {
    let back = format!("/research/topics/{}#funds", f.topic_id.trim().parse::<i64>().unwrap_or(0));
    match funds::decide(&ui.caller(), id, f.decision == "approve", &f.decision_note).await {
        Ok(()) => Ok(ui.done(&back, Msg::new("已审批"))),
        Err(e) => ui.refused_or(&back, e),
    }
}
