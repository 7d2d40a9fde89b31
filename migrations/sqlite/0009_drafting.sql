-- The drafting desk (以文辅政, W1–W4): drafting tasks with a due time in
-- hours, named drafters, a reviewer and a final checker (把关); every version
-- kept; each step of the chain (submit, approve, return with comments, issue)
-- recorded; and where an issued text was published.
create table drafting_tasks (
    id integer primary key,
    year integer not null,
    code text not null unique,
    title text not null,
    kind text not null,
    requester text not null default '',
    unit_id integer not null references units(id),
    due_hours integer not null,
    due_at integer not null,
    state text not null default 'drafting',
    reviewer_id integer not null references accounts(id),
    checker_id integer not null references accounts(id),
    versions integer not null default 0,
    issued_at integer,
    created_by integer references accounts(id),
    created_at integer not null,
    updated_at integer not null
);
create index drafting_tasks_year_state on drafting_tasks(year, state);
create index drafting_tasks_unit on drafting_tasks(unit_id, year);
create index drafting_tasks_created on drafting_tasks(created_at);

create table drafting_drafters (
    task_id integer not null references drafting_tasks(id) on delete cascade,
    account_id integer not null references accounts(id),
    primary key (task_id, account_id)
);
create index drafting_drafters_account on drafting_drafters(account_id);

create table drafting_versions (
    id integer primary key,
    task_id integer not null references drafting_tasks(id) on delete cascade,
    no integer not null,
    body text not null,
    source text not null,
    attachment_id integer references attachments(id),
    note text not null default '',
    chars integer not null,
    created_by integer references accounts(id),
    created_at integer not null,
    unique (task_id, no)
);

create table drafting_events (
    id integer primary key,
    task_id integer not null references drafting_tasks(id) on delete cascade,
    action text not null,
    from_state text not null,
    to_state text not null,
    version_no integer,
    comment text not null default '',
    by_id integer references accounts(id),
    at integer not null
);
create index drafting_events_task on drafting_events(task_id, id);

create table drafting_publications (
    id integer primary key,
    task_id integer not null references drafting_tasks(id) on delete cascade,
    outlet text not null,
    published_on text not null,
    reach text not null default '',
    note text not null default '',
    created_by integer references accounts(id),
    created_at integer not null
);
create index drafting_publications_task on drafting_publications(task_id);
