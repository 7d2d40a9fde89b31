-- The grassroots closed loop (基层联系点, L1–L7): the contact-point registry;
-- submissions (cases) with their analysis, dispatch, handling, callback and
-- colour; the steps of each case; near-duplicate band keys; the risk lexicon;
-- the trained category model; numbering counters.
create table liaison_points (
    unit_id integer primary key references units(id),
    kind text not null,
    place text not null default '',
    liaisons text not null default '',
    phone text not null default '',
    status text not null default 'active',
    note text not null default '',
    updated_at integer not null
);

create table liaison_counters (
    year integer primary key,
    n integer not null default 0
);

create table liaison_cases (
    id integer primary key,
    no text not null unique,
    year integer not null,
    month integer not null,
    week integer not null,
    point_id integer not null references units(id),
    area_id integer not null references units(id),
    channel text not null,
    title text not null,
    content text not null,
    place text not null default '',
    urgency text not null default 'normal',
    category text not null default '',
    suggested text not null default '',
    confidence real,
    suggested_by text not null default '',
    keywords text not null default '',
    risk_level integer not null default 0,
    risk_words text not null default '',
    signature blob,
    dup_of integer references liaison_cases(id),
    dup_score real,
    merged_into integer references liaison_cases(id),
    state text not null,
    handler_id integer references units(id),
    dispatched_at integer,
    dispatched_on text,
    due_on text,
    accepted_at integer,
    replied_at integer,
    replied_on text,
    first_replied_on text,
    on_time integer,
    reply text not null default '',
    solved text not null default '',
    rating text not null default '',
    rating_reason text not null default '',
    rated_at integer,
    returns integer not null default 0,
    reopens integer not null default 0,
    closed_at integer,
    closed_on text,
    close_reason text not null default '',
    colour text not null default 'green',
    colour_reason text not null default '',
    submitted_on text not null,
    created_by integer references accounts(id),
    created_at integer not null,
    updated_at integer not null
);
create index liaison_cases_point on liaison_cases(point_id, created_at);
create index liaison_cases_handler on liaison_cases(handler_id, state);
create index liaison_cases_state on liaison_cases(state, colour);
create index liaison_cases_month on liaison_cases(month, category);
create index liaison_cases_week on liaison_cases(week);
create index liaison_cases_area on liaison_cases(area_id, month);
create index liaison_cases_dup on liaison_cases(dup_of);

create table liaison_events (
    id integer primary key,
    case_id integer not null references liaison_cases(id),
    action text not null,
    from_state text not null,
    to_state text not null,
    unit_id integer references units(id),
    reason text not null default '',
    comment text not null default '',
    by_id integer references accounts(id),
    at integer not null
);
create index liaison_events_case on liaison_events(case_id, id);

create table liaison_bands (
    band integer not null,
    case_id integer not null references liaison_cases(id),
    primary key (band, case_id)
) without rowid;

create table liaison_lexicon (
    id integer primary key,
    word text not null unique,
    level integer not null,
    note text not null default '',
    created_by integer references accounts(id),
    created_at integer not null
);

create table liaison_models (
    id integer primary key,
    trained_at integer not null,
    examples integer not null,
    labels text not null,
    model text not null,
    history text not null,
    trained_by integer references accounts(id)
);
