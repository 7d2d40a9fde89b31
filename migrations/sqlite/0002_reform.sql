-- Reform tasks (R1–R9): the task list and its lifecycle, progress reports,
-- colours, evaluations and assessment, inspections and rectification, notices,
-- typical cases, pilots. Keep in step with migrations/postgres/0002_reform.sql.

create table reform_tasks (
    id integer primary key,
    year integer not null,
    code text not null unique,
    title text not null,
    source text not null,
    field text not null default '',
    lead_unit_id integer not null references units(id),
    leader_account_id integer references accounts(id),
    leader_name text not null default '',
    goals text not null default '',
    outputs text not null default '',
    start_on text not null,
    deadline text,
    stage text not null,
    status text not null default 'active',
    progress integer not null default 0,
    finished_on text,
    colour text not null default 'green',
    colour_reason text not null default '',
    colour_at integer,
    report_cycle text not null default 'monthly',
    report_day integer not null default 25,
    latest_report text not null default '',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index reform_tasks_year_colour on reform_tasks(year, colour);
create index reform_tasks_lead on reform_tasks(lead_unit_id, year);
create index reform_tasks_year_stage on reform_tasks(year, stage);
create index reform_tasks_year_source on reform_tasks(year, source);
create index reform_tasks_status on reform_tasks(status, year);

create table reform_task_units (
    task_id integer not null references reform_tasks(id) on delete cascade,
    unit_id integer not null references units(id),
    primary key (task_id, unit_id)
);
create index reform_task_units_unit on reform_task_units(unit_id);

create table reform_task_tags (
    task_id integer not null references reform_tasks(id) on delete cascade,
    tag text not null,
    primary key (task_id, tag)
);
create index reform_task_tags_tag on reform_task_tags(tag);

create table reform_milestones (
    id integer primary key,
    task_id integer not null references reform_tasks(id) on delete cascade,
    name text not null,
    due_on text not null,
    done_on text,
    sort_order integer not null default 0
);
create index reform_milestones_task on reform_milestones(task_id, due_on);

create table reform_task_events (
    id integer primary key,
    task_id integer not null references reform_tasks(id) on delete cascade,
    from_stage text not null,
    to_stage text not null,
    kind text not null,
    evidence text not null default '{}',
    reason text not null default '',
    at integer not null,
    by_account integer,
    by_name text not null default ''
);
create index reform_task_events_task on reform_task_events(task_id, at);

create table reform_reports (
    id integer primary key,
    task_id integer not null references reform_tasks(id) on delete cascade,
    unit_id integer not null references units(id),
    period text not null,
    percent integer not null,
    content text not null,
    problems text not null default '',
    next_steps text not null default '',
    status text not null,
    due_on text,
    on_time boolean not null default false,
    return_reason text not null default '',
    version integer not null default 1,
    supersedes_id integer references reform_reports(id),
    submitted_by integer not null,
    submitted_at integer not null,
    reviewed_by integer,
    reviewed_at integer
);
create index reform_reports_task on reform_reports(task_id, submitted_at);
create index reform_reports_status on reform_reports(status, submitted_at);
create index reform_reports_unit on reform_reports(unit_id, status);

create table reform_colour_history (
    id integer primary key,
    task_id integer not null references reform_tasks(id) on delete cascade,
    colour text not null,
    reason text not null default '',
    at integer not null
);
create index reform_colour_history_task on reform_colour_history(task_id, at);

create table reform_reminders (
    task_id integer not null references reform_tasks(id) on delete cascade,
    period text not null,
    kind text not null,
    sent_at integer not null,
    primary key (task_id, period, kind)
);

create table reform_star_criteria (
    id integer primary key,
    year integer not null,
    name text not null,
    max_stars integer not null default 5,
    sort_order integer not null default 0,
    enabled boolean not null default true
);
create index reform_star_criteria_year on reform_star_criteria(year);

create table reform_star_ratings (
    id integer primary key,
    task_id integer not null references reform_tasks(id) on delete cascade,
    criterion_id integer not null references reform_star_criteria(id),
    evaluator_id integer not null references accounts(id),
    stars integer not null,
    comment text not null default '',
    at integer not null,
    unique (task_id, criterion_id, evaluator_id)
);

create table reform_unit_scores (
    id integer primary key,
    year integer not null,
    unit_id integer not null references units(id),
    kind text not null,
    score double precision not null,
    note text not null default '',
    by_account integer,
    at integer not null,
    unique (year, unit_id, kind)
);

create table reform_schemes (
    id integer primary key,
    year integer not null unique,
    name text not null,
    note text not null default '',
    created_at integer not null,
    updated_at integer not null
);

create table reform_indicators (
    id integer primary key,
    scheme_id integer not null references reform_schemes(id) on delete cascade,
    name text not null,
    weight double precision not null,
    kind text not null,
    metric text not null default '',
    target double precision not null default 1,
    rule text not null default 'linear',
    sort_order integer not null default 0
);
create index reform_indicators_scheme on reform_indicators(scheme_id, sort_order);

create table reform_indicator_entries (
    indicator_id integer not null references reform_indicators(id) on delete cascade,
    unit_id integer not null references units(id),
    value double precision not null,
    note text not null default '',
    by_account integer,
    at integer not null,
    primary key (indicator_id, unit_id)
);

create table reform_inspections (
    id integer primary key,
    year integer not null,
    kind text not null,
    title text not null,
    held_on text not null,
    organizer text not null default '',
    summary text not null default '',
    created_by integer,
    created_at integer not null
);
create index reform_inspections_year on reform_inspections(year, held_on);

create table reform_inspection_units (
    inspection_id integer not null references reform_inspections(id) on delete cascade,
    unit_id integer not null references units(id),
    result text not null,
    primary key (inspection_id, unit_id)
);
create index reform_inspection_units_unit on reform_inspection_units(unit_id);

create table reform_findings (
    id integer primary key,
    inspection_id integer not null references reform_inspections(id) on delete cascade,
    unit_id integer not null references units(id),
    task_id integer references reform_tasks(id),
    description text not null,
    created_at integer not null
);
create index reform_findings_inspection on reform_findings(inspection_id);

create table rectifications (
    id integer primary key,
    source_type text not null,
    source_id integer not null,
    unit_id integer not null references units(id),
    owner_account_id integer references accounts(id),
    description text not null,
    deadline text not null,
    status text not null default 'open',
    closed_on text,
    evidence text not null default '',
    colour text not null default 'green',
    colour_reason text not null default '',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index rectifications_unit on rectifications(unit_id, status);
create index rectifications_source on rectifications(source_type, source_id);
create index rectifications_colour on rectifications(status, colour);

create table reform_notices (
    id integer primary key,
    year integer not null,
    kind text not null,
    title text not null,
    issuing_body text not null,
    doc_no text not null default '',
    issued_on text not null,
    summary text not null default '',
    created_by integer,
    created_at integer not null
);
create index reform_notices_year on reform_notices(year, issued_on);

create table reform_notice_links (
    id integer primary key,
    notice_id integer not null references reform_notices(id) on delete cascade,
    unit_id integer references units(id),
    task_id integer references reform_tasks(id)
);
create index reform_notice_links_notice on reform_notice_links(notice_id);

create table reform_cases (
    id integer primary key,
    year integer not null,
    title text not null,
    unit_id integer not null references units(id),
    task_id integer references reform_tasks(id),
    stage text not null,
    summary text not null default '',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index reform_cases_year on reform_cases(year, stage);

create table reform_case_submissions (
    id integer primary key,
    case_id integer not null references reform_cases(id) on delete cascade,
    outlet text not null,
    submitted_on text not null,
    outcome text not null default 'pending',
    outcome_on text,
    note text not null default '',
    created_at integer not null
);
create index reform_case_submissions_case on reform_case_submissions(case_id);

create table reform_pilots (
    id integer primary key,
    title text not null,
    level text not null,
    host_unit_id integer not null references units(id),
    task_id integer references reform_tasks(id),
    start_on text not null,
    end_on text,
    midterm_on text,
    midterm_result text not null default '',
    acceptance text not null default 'pending',
    accepted_on text,
    note text not null default '',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index reform_pilots_level on reform_pilots(level, acceptance);
