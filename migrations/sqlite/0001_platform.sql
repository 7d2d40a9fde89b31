-- Platform foundation: organisation, people, accounts and scopes, sessions,
-- audit chain, dictionaries, settings, attachments, notifications.
-- Times are integer milliseconds since the epoch (UTC); dates are 'YYYY-MM-DD'.
-- Keep in step with migrations/postgres/0001_platform.sql (parity-tested).

create table units (
    id integer primary key,
    parent_id integer references units(id),
    name text not null,
    short_name text not null default '',
    code text,
    kind text not null,
    path text not null unique,
    depth integer not null,
    sort_order integer not null default 0,
    status text not null default 'active',
    merged_into integer references units(id),
    note text not null default '',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index units_parent on units(parent_id, sort_order);
create unique index units_code on units(code) where code is not null;
create index units_kind on units(kind);

create table party_branches (
    id integer primary key,
    unit_id integer not null references units(id),
    name text not null,
    status text not null default 'active',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index party_branches_unit on party_branches(unit_id);

create table persons (
    id integer primary key,
    unit_id integer not null references units(id),
    name text not null,
    gender text not null default '',
    birth_date text,
    position text not null default '',
    cadre_level text not null default '',
    reserve_cadre boolean not null default false,
    party_member boolean not null default false,
    branch_id integer references party_branches(id),
    status text not null default 'active',
    note text not null default '',
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index persons_unit on persons(unit_id, name);

create table mentoring_pairs (
    id integer primary key,
    mentor_id integer not null references persons(id),
    mentee_id integer not null references persons(id),
    started_on text not null,
    ended_on text,
    note text not null default '',
    created_at integer not null
);
create index mentoring_pairs_mentor on mentoring_pairs(mentor_id);
create index mentoring_pairs_mentee on mentoring_pairs(mentee_id);

create table postings (
    id integer primary key,
    person_id integer not null references persons(id),
    kind text not null,
    from_unit_id integer references units(id),
    to_unit_id integer not null references units(id),
    started_on text not null,
    ended_on text,
    note text not null default '',
    created_at integer not null
);
create index postings_person on postings(person_id, started_on);

create table accounts (
    id integer primary key,
    username text not null unique,
    display_name text not null,
    unit_id integer not null references units(id),
    person_id integer references persons(id),
    password_hash text not null,
    must_change_password boolean not null default true,
    password_changed_at integer,
    failed_count integer not null default 0,
    locked_until integer,
    totp_secret text,
    totp_enabled boolean not null default false,
    totp_last_step integer,
    status text not null default 'active',
    locale text not null default 'zh',
    last_login_at integer,
    created_by integer,
    created_at integer not null,
    updated_at integer not null
);
create index accounts_unit on accounts(unit_id);

create table roles (
    id integer primary key,
    code text not null unique,
    name text not null,
    description text not null default '',
    builtin boolean not null default false,
    admin_kind text,
    created_at integer not null,
    updated_at integer not null
);

create table role_permissions (
    role_id integer not null references roles(id) on delete cascade,
    module text not null,
    action text not null,
    scope text not null,
    primary key (role_id, module, action)
);

create table account_roles (
    account_id integer not null references accounts(id) on delete cascade,
    role_id integer not null references roles(id),
    primary key (account_id, role_id)
);
create index account_roles_role on account_roles(role_id);

create table account_scope_units (
    account_id integer not null references accounts(id) on delete cascade,
    unit_id integer not null references units(id),
    primary key (account_id, unit_id)
);

create table sessions (
    id text primary key,
    account_id integer not null references accounts(id) on delete cascade,
    csrf_token text not null,
    stage text not null,
    created_at integer not null,
    last_seen_at integer not null,
    expires_at integer not null,
    ip text not null default '',
    user_agent text not null default ''
);
create index sessions_account on sessions(account_id);

create table login_history (
    id integer primary key,
    account_id integer references accounts(id) on delete set null,
    username text not null,
    at integer not null,
    ip text not null default '',
    user_agent text not null default '',
    outcome text not null
);
create index login_history_account on login_history(account_id, at);
create index login_history_at on login_history(at);
create index login_history_ip on login_history(ip, at);

create table api_tokens (
    id integer primary key,
    account_id integer not null references accounts(id) on delete cascade,
    name text not null,
    token_hash text not null unique,
    prefix text not null,
    created_at integer not null,
    expires_at integer,
    last_used_at integer,
    revoked_at integer
);
create index api_tokens_account on api_tokens(account_id);

-- The audit trail is append-only and SM3-chained: hash = SM3(previous hash ‖ this record).
-- seq runs 1, 2, 3 … without gaps; audit_head holds the last seq and hash.
create table audit_events (
    seq integer primary key,
    at integer not null,
    actor_id integer,
    actor_name text not null,
    ip text not null default '',
    action text not null,
    object_type text not null default '',
    object_id text not null default '',
    summary text not null default '',
    before_data text,
    after_data text,
    hash text not null
);
-- Only indexes that grow at their right edge: appends stay fast at ten million
-- records. Queries by actor, object or text are bounded by time (the page
-- defaults to the last 90 days) and scan within that range.
create index audit_events_at on audit_events(at);
create index audit_events_action on audit_events(action, seq);

create table audit_head (
    id integer primary key check (id = 1),
    seq integer not null,
    hash text not null
);
insert into audit_head (id, seq, hash) values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

create trigger audit_events_no_update before update on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;
create trigger audit_events_no_delete before delete on audit_events
begin
    select raise(abort, 'audit_events is append-only');
end;

create table dict_types (
    code text primary key,
    name text not null,
    name_en text not null default '',
    description text not null default '',
    builtin boolean not null default false
);

create table dict_items (
    id integer primary key,
    type_code text not null references dict_types(code),
    code text not null,
    label text not null,
    label_en text not null default '',
    sort_order integer not null default 0,
    enabled boolean not null default true,
    unique (type_code, code)
);

create table settings (
    key text primary key,
    value text not null,
    updated_at integer not null,
    updated_by integer
);

create table blobs (
    sha text primary key,
    size integer not null,
    mime text not null,
    extracted_text text,
    created_at integer not null
);

create table attachments (
    id integer primary key,
    sha text not null references blobs(sha),
    file_name text not null,
    unit_id integer not null references units(id),
    owner_id integer not null references accounts(id),
    owner_type text not null default '',
    owner_ref text not null default '',
    created_at integer not null
);
create index attachments_owner on attachments(owner_type, owner_ref);
create index attachments_unit on attachments(unit_id);

create table notifications (
    id integer primary key,
    account_id integer not null references accounts(id) on delete cascade,
    kind text not null,
    title text not null,
    body text not null default '',
    link text not null default '',
    created_at integer not null,
    read_at integer
);
create index notifications_account on notifications(account_id, read_at, created_at);
