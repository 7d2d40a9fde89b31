-- Research (调查研究, Y1–Y8): the year's focus areas and topics with their
-- milestones and colour; outputs with their text; series and compilations;
-- 《决策参考》 issues; leader instructions and the follow-up they require;
-- transformation of outputs; excellent-results selection; research funds.
create table research_focus (
    id integer primary key,
    year integer not null,
    title text not null,
    sort integer not null default 0,
    created_by integer references accounts(id),
    created_at integer not null
);
create index research_focus_year on research_focus(year, sort);

create table research_topics (
    id integer primary key,
    year integer not null,
    code text not null unique,
    title text not null,
    kind text not null,
    level text not null,
    focus_id integer references research_focus(id),
    leader text not null default '',
    lead_unit_id integer not null references units(id),
    summary text not null default '',
    party_group text not null default '',
    start_on text not null,
    due_on text not null,
    finished_on text,
    stage text not null default 'opening',
    colour text not null default 'green',
    colour_reason text not null default '',
    created_by integer references accounts(id),
    created_at integer not null,
    updated_at integer not null
);
create index research_topics_year on research_topics(year, colour);
create index research_topics_unit on research_topics(lead_unit_id, year);

create table research_topic_units (
    topic_id integer not null references research_topics(id) on delete cascade,
    unit_id integer not null references units(id),
    primary key (topic_id, unit_id)
);
create index research_topic_units_unit on research_topic_units(unit_id);

create table research_team (
    id integer primary key,
    topic_id integer not null references research_topics(id) on delete cascade,
    name text not null,
    role text not null default ''
);
create index research_team_topic on research_team(topic_id);

create table research_milestones (
    topic_id integer not null references research_topics(id) on delete cascade,
    stage text not null,
    due_on text not null,
    done_on text,
    primary key (topic_id, stage)
);

create table research_outputs (
    id integer primary key,
    year integer not null,
    code text not null unique,
    title text not null,
    kind text not null,
    topic_id integer references research_topics(id),
    unit_id integer not null references units(id),
    authors text not null default '',
    series text not null default '',
    body text not null,
    chars integer not null,
    attachment_id integer references attachments(id),
    finished_on text not null,
    created_by integer references accounts(id),
    created_at integer not null
);
create index research_outputs_year on research_outputs(year, unit_id);
create index research_outputs_topic on research_outputs(topic_id);
create index research_outputs_series on research_outputs(series);

create table research_compilations (
    id integer primary key,
    year integer not null,
    title text not null,
    unit_id integer not null references units(id),
    preface text not null default '',
    created_by integer references accounts(id),
    created_at integer not null
);

create table research_compilation_items (
    compilation_id integer not null references research_compilations(id) on delete cascade,
    output_id integer not null references research_outputs(id),
    sort integer not null,
    primary key (compilation_id, output_id)
);

create table research_issues (
    id integer primary key,
    year integer not null,
    no integer not null,
    total_no integer not null,
    unit_id integer not null references units(id),
    theme text not null default '',
    state text not null default 'editing',
    distribution text not null default '',
    published_on text,
    created_by integer references accounts(id),
    created_at integer not null,
    unique (year, no)
);

create table research_issue_articles (
    issue_id integer not null references research_issues(id) on delete cascade,
    output_id integer not null references research_outputs(id),
    sort integer not null,
    primary key (issue_id, output_id)
);
create index research_issue_articles_output on research_issue_articles(output_id);

create table research_instructions (
    id integer primary key,
    year integer not null,
    leader text not null,
    level text not null,
    instructed_on text not null,
    content text not null,
    follow_up text not null default '',
    target_kind text not null,
    target_id integer not null,
    unit_id integer not null references units(id),
    owner_id integer references accounts(id),
    due_on text,
    state text not null default 'none',
    result text not null default '',
    done_on text,
    colour text not null default 'blue',
    colour_reason text not null default '',
    created_by integer references accounts(id),
    created_at integer not null,
    updated_at integer not null
);
create index research_instructions_year on research_instructions(year, level);
create index research_instructions_target on research_instructions(target_kind, target_id);
create index research_instructions_owner on research_instructions(owner_id, state);

create table research_followup_events (
    id integer primary key,
    instruction_id integer not null references research_instructions(id) on delete cascade,
    action text not null,
    from_state text not null,
    to_state text not null,
    comment text not null default '',
    by_id integer references accounts(id),
    at integer not null
);
create index research_followup_events_instruction on research_followup_events(instruction_id, id);

create table research_transformations (
    id integer primary key,
    output_id integer not null references research_outputs(id),
    kind text not null,
    title text not null,
    adopted_by text not null,
    adopted_on text not null,
    evidence text not null,
    attachment_id integer references attachments(id),
    created_by integer references accounts(id),
    created_at integer not null
);
create index research_transformations_output on research_transformations(output_id);

create table research_rounds (
    id integer primary key,
    year integer not null,
    title text not null,
    unit_id integer not null references units(id),
    state text not null default 'open',
    created_by integer references accounts(id),
    created_at integer not null
);

create table research_entries (
    id integer primary key,
    round_id integer not null references research_rounds(id) on delete cascade,
    output_id integer not null references research_outputs(id),
    award text not null default '',
    unique (round_id, output_id)
);

create table research_scores (
    entry_id integer not null references research_entries(id) on delete cascade,
    judge_id integer not null references accounts(id),
    score integer not null,
    comment text not null default '',
    at integer not null,
    primary key (entry_id, judge_id)
);

create table research_round_judges (
    round_id integer not null references research_rounds(id) on delete cascade,
    judge_id integer not null references accounts(id),
    primary key (round_id, judge_id)
);

create table research_budgets (
    id integer primary key,
    topic_id integer not null references research_topics(id),
    item text not null,
    amount integer not null,
    created_by integer references accounts(id),
    created_at integer not null
);
create index research_budgets_topic on research_budgets(topic_id);

create table research_spending (
    id integer primary key,
    budget_id integer not null references research_budgets(id),
    kind text not null,
    description text not null,
    vendor text not null default '',
    amount integer not null,
    state text not null default 'pending',
    requested_by integer references accounts(id),
    requested_at integer not null,
    decided_by integer references accounts(id),
    decided_at integer,
    decision_note text not null default ''
);
create index research_spending_budget on research_spending(budget_id, state);
