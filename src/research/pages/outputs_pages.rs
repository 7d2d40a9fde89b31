//! Outputs, their transformation, and compilations.

use super::*;

#[derive(Serialize)]
struct OutputsPage {
    year: i64,
    f: outputs::Filter,
    rows: Vec<outputs::Output>,
    series: Vec<(String, i64)>,
    kinds: Pairs,
    can_write: bool,
    units: Vec<(i64, String)>,
    topics: Vec<(i64, String)>,
    form: OutputInput,
    errors: Errors,
}

async fn outputs_page(
    ui: &Ui,
    f: outputs::Filter,
    form: OutputInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let year = ui.year_or_this(&f.year);
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let topic_options = if can_write {
        topics::list(db, &ui.user, year, &topics::Filter::default())
            .await?
            .into_iter()
            .map(|t| (t.id, format!("{} {}", t.code, t.title)))
            .collect()
    } else {
        Vec::new()
    };
    let page = OutputsPage {
        year,
        rows: outputs::list(db, &ui.user, year, &f).await?,
        series: outputs::series(db, &ui.user, year).await?,
        f,
        kinds: outputs::KINDS,
        can_write,
        units: if can_write { write_units(ui).await? } else { Vec::new() },
        topics: topic_options,
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/outputs.html", page)
}

/// `GET /research/outputs`
pub async fn outputs(ui: Ui, Query(f): Query<outputs::Filter>) -> AppResult<Response> {
    let form = OutputInput { finished_on: ui.state.clock.today().to_string(), ..OutputInput::default() };
    outputs_page(&ui, f, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/outputs` (multipart, optional `file`: docx or pdf).
pub async fn create_output(ui: Ui, m: Multipart) -> AppResult<Response> {
    let form = crate::attachments::read_form(m, 1).await?;
    let input = OutputInput {
        title: form.text("title"),
        kind: form.text("kind"),
        topic_id: form.text("topic_id"),
        unit_id: form.text("unit_id"),
        authors: form.text("authors"),
        series: form.text("series"),
        finished_on: form.text("finished_on"),
        text: form.text("text"),
    };
    let c = ui.caller();
    let file = match crate::attachments::actions::check_upload(&c, form.files).await? {
        Ok(f) => f,
        Err(e) => {
            return outputs_page(&ui, outputs::Filter::default(), input, e, StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
    };
    match saved_or(outputs::create(&c, &input, file.as_ref()).await)? {
        Ok(id) => Ok(ui.done(&format!("/research/outputs/{id}"), Msg::new("已登记调研成果"))),
        Err(e) => {
            outputs_page(&ui, outputs::Filter::default(), input, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Serialize)]
struct OutputPage {
    o: outputs::Output,
    kind_label: &'static str,
    text: String,
    instructions: Vec<instructions::Instruction>,
    transformations: Vec<outputs::Transformation>,
    issues: Vec<(i64, i64, i64)>,
    levels: Pairs,
    transformation_kinds: Pairs,
    people: Vec<(i64, String)>,
    units: Vec<(i64, String)>,
    can_write: bool,
    form: InstructionInput,
    tform: TransformationInput,
    errors: Errors,
}

pub(super) async fn output_page(
    ui: &Ui,
    id: i64,
    form: InstructionInput,
    tform: TransformationInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    let c = ui.caller();
    let o = outputs::visible(&c, id).await?;
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let page = OutputPage {
        kind_label: crate::research::label_of(outputs::KINDS, &o.kind),
        text: outputs::text(db, id).await?,
        instructions: instructions::on_target(db, &ui.user, "output", id).await?,
        transformations: outputs::transformations(db, id).await?,
        issues: journal::carrying(db, id).await?,
        levels: instructions::LEVELS,
        transformation_kinds: outputs::TRANSFORMATIONS,
        people: if can_write { people(db).await? } else { Vec::new() },
        units: if can_write { all_units(ui).await? } else { Vec::new() },
        can_write,
        form,
        tform,
        errors: ui.field_errors(&errors),
        o,
    };
    ui.render_status(status, "research/output.html", page)
}

/// `GET /research/outputs/{id}`
pub async fn output(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let form = InstructionInput {
        target_kind: "output".into(),
        target_id: id.to_string(),
        instructed_on: ui.state.clock.today().to_string(),
        ..InstructionInput::default()
    };
    output_page(&ui, id, form, TransformationInput::default(), FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/outputs/{id}/transformations`
pub async fn add_transformation(
    ui: Ui,
    Path(id): Path<i64>,
    Form(f): Form<TransformationInput>,
) -> AppResult<Response> {
    match saved_or(outputs::add_transformation(&ui.caller(), id, &f).await)? {
        Ok(_) => Ok(ui.done(&format!("/research/outputs/{id}#transformations"), Msg::new("已记录成果转化"))),
        Err(e) => {
            let form = InstructionInput {
                target_kind: "output".into(),
                target_id: id.to_string(),
                ..InstructionInput::default()
            };
            output_page(&ui, id, form, f, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

// ---- compilations ---------------------------------------------------------

#[derive(Serialize)]
struct CompilationsPage {
    year: i64,
    rows: Vec<outputs::Compilation>,
    outputs: Vec<(i64, String)>,
    series: Vec<(String, i64)>,
    can_write: bool,
    can_export: bool,
    form: CompilationInput,
    errors: Errors,
}

async fn compilations_page(
    ui: &Ui,
    year: i64,
    form: CompilationInput,
    errors: FieldErrors,
    status: StatusCode,
) -> AppResult<Response> {
    ui.require(Module::Research, Action::Read)?;
    let db = &ui.state.db;
    let can_write = ui.user.can(Module::Research, Action::Write);
    let page = CompilationsPage {
        year,
        rows: outputs::compilations(db, &ui.user, year).await?,
        outputs: if can_write {
            outputs::list(db, &ui.user, year, &outputs::Filter::default())
                .await?
                .into_iter()
                .map(|o| (o.id, format!("{} {}", o.code, o.title)))
                .collect()
        } else {
            Vec::new()
        },
        series: outputs::series(db, &ui.user, year).await?,
        can_write,
        can_export: ui.user.can(Module::Research, Action::Export),
        form,
        errors: ui.field_errors(&errors),
    };
    ui.render_status(status, "research/compilations.html", page)
}

/// `GET /research/compilations`
pub async fn compilations(ui: Ui, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let year = ui.year_or_this(&q.year);
    let form = CompilationInput { year: year.to_string(), ..CompilationInput::default() };
    compilations_page(&ui, year, form, FieldErrors::default(), StatusCode::OK).await
}

/// `POST /research/compilations`
pub async fn create_compilation(ui: Ui, MultiForm(form): MultiForm<CompilationInput>) -> AppResult<Response> {
    match saved_or(outputs::create_compilation(&ui.caller(), &form).await)? {
        Ok(_) => Ok(ui.done(&format!("/research/compilations?year={}", form.year), Msg::new("汇编已生成"))),
        Err(e) => {
            let year = ui.year_or_this(&form.year);
            compilations_page(&ui, year, form, e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `GET /research/compilations/{id}/docx`
pub async fn compilation_docx(ui: Ui, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, bytes) = outputs::compilation_docx(&ui.caller(), id).await?;
    Ok(crate::export::download_docx(&name, bytes))
}
