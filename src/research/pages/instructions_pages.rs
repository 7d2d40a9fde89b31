//! Leader instructions and their follow-up.

use super::*;

#[derive(Serialize)]
struct InstructionsPage {
    year: i64,
    f: instructions::Filter,
    rows: Vec<instructions::Instruction>,
    counts: Vec<instructions::LevelCount>,
    levels: Pairs,
    states: Vec<(&'static str, &'static str)>,
}

/// `GET /research/instructions`
pub async fn instructions(ui: Ui, Query(f): Query<instructions::Filter>) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let db = &ui.state.db;
    let page = InstructionsPage {
        year,
        rows: instructions::list(db, &ui.user, year, &f).await?,
        counts: instructions::counts(db, &ui.user, year).await?,
        f,
        levels: instructions::LEVELS,
        states: State::ALL.iter().map(|s| (s.code(), s.label())).collect(),
    };
    ui.render("research/instructions.html", page)
}

/// `POST /research/instructions` (from an output, a draft or a reform task).
pub async fn create_instruction(ui: Ui, Form(f): Form<InstructionInput>) -> AppResult<Response> {
    match saved_or(instructions::create(&ui.caller(), &f).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/instructions/{id}"), Msg::new("已登记领导批示"))),
        Err(e) if f.target_kind == "output" => {
            let target = f.target_id.trim().parse().map_err(|_| AppError::NotFound)?;
            output_page(&ui, target, f, TransformationInput::default(), e, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(e) => new_instruction_page(&ui, f, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    }
}

/// `?target_kind=&target_id=`
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TargetQuery {
    /// `draft` or `reform_task` (outputs have the form on their own page).
    pub target_kind: String,
    /// Its id.
    pub target_id: String,
}

#[derive(Serialize)]
struct NewInstructionPage {
    target_label: &'static str,
    target_title: String,
    back: String,
    instructions: Vec<instructions::Instruction>,
    levels: Pairs,
    people: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    form: InstructionInput,
    errors: Errors,
}

async fn new_instruction_page(
    ui: &Ui,
    form: InstructionInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Write)?;
    let c = ui.caller();
    let id: i64 = form.target_id.trim().parse().map_err(|_| AppError::NotFound)?;
    let (title, back) = match form.target_kind.as_str() {
        "draft" => (crate::drafting::desk::visible(&c, id).await?.title, format!("/drafting/{id}")),
        "reform_task" => {
            (crate::reform::actions::visible_task(&c, id).await?.title, format!("/reform/tasks/{id}"))
        }
        "output" => (outputs::visible(&c, id).await?.title, format!("/research/outputs/{id}")),
        _ => return Err(AppError::NotFound),
    };
    let db = &ui.state.db;
    let page = NewInstructionPage {
        target_label: crate::research::label_of(instructions::TARGETS, &form.target_kind),
        target_title: title,
        back,
        instructions: instructions::on_target(db, &ui.user, &form.target_kind, id).await?,
        levels: instructions::LEVELS,
        people: people(db).await?,
        units: all_units(ui).await?,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/instruction_new.html", page)
}

/// `GET /research/instructions/new?target_kind=draft&target_id=7`
pub async fn new_instruction(ui: Ui, Query(q): Query<TargetQuery>) -> AppResult<Response> {
    let form = InstructionInput {
        target_kind: q.target_kind,
        target_id: q.target_id,
        instructed_on: ui.state.clock.today().to_string(),
        ..InstructionInput::default()
    };
    new_instruction_page(&ui, form, FieldErrors::default(), StatusCode::OK).await
}

#[derive(Serialize)]
struct InstructionPage {
    i: instructions::Instruction,
    level_label: &'static str,
    state_label: &'static str,
    target_label: &'static str,
    target_link: String,
    history: Vec<instructions::HistoryRow>,
    owner: bool,
    office: bool,
    text: String,
    errors: Errors,
}

async fn instruction_page(
    ui: &Ui,
    id: i64,
    text: String,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let i = instructions::visible(&c, id).await?;
    let parts = instructions::parts(&c, &i);
    let target_link = match i.target_kind.as_str() {
        "output" => format!("/research/outputs/{}", i.target_id),
        "draft" => format!("/drafting/{}", i.target_id),
        _ => format!("/reform/tasks/{}", i.target_id),
    };
    let page = InstructionPage {
        level_label: crate::research::label_of(instructions::LEVELS, &i.level),
        state_label: i.state().label(),
        target_label: crate::research::label_of(instructions::TARGETS, &i.target_kind),
        target_link,
        history: instructions::history(&ui.state.db, id).await?,
        owner: parts.owner,
        office: parts.office,
        text,
        errors: ui.field_errors(&errors),
        i,
    };
    ui.render_status(status, "research/instruction.html", page)
}

/// `GET /research/instructions/{id}`
pub async fn instruction(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    instruction_page(&ui, id, String::new(), FieldErrors::default(), StatusCode::OK).await
}

/// The follow-up form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FollowUpForm {
    /// `report`, `confirm`, `return`.
    pub step: String,
    /// Result or reason.
    pub text: String,
}

/// `POST /research/instructions/{id}/follow-up`
pub async fn follow_up(ui: Ui, Path(id): Path<i64>, Form(f): Form<FollowUpForm>) -> AppResult<Response> {
    match instructions::step(&ui.caller(), id, &f.step, &f.text).await {
        Ok(to) => Ok(ui.done(
            &format!("/research/instructions/{id}"),
            Msg::new("批示落实{state}").arg("state", to.label()),
        )),
        Err(AppError::Invalid(e)) => {
            instruction_page(&ui, id, f.text, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => ui.refused_or(&format!("/research/instructions/{id}"), e),
    }
}
