-- What the figures of the loop add up (L7), kept by the database itself:
-- every insert, update of a counted column and delete of a case moves the
-- sums of its month by category and area, by handling unit and by contact
-- point, so the office's figures read a few thousand rows instead of a year
-- of cases. Only what does not depend on the day is kept here (the overdue
-- count is read from the open cases). Merged cases are left out, as in the
-- figures. Rebuilt from the cases below; `db::copy` leaves it to the triggers.
-- (SQLite triggers cannot call a function, so each writes out its three upserts;
-- the PostgreSQL migration has one function for them.)
create table liaison_tally (
    dim text not null,
    month integer not null,
    category text not null,
    key_id integer not null,
    submitted integer not null default 0,
    archived integer not null default 0,
    dispatched integer not null default 0,
    replied integer not null default 0,
    on_time integer not null default 0,
    closed integer not null default 0,
    solved integer not null default 0,
    rated integer not null default 0,
    satisfied integer not null default 0,
    basically integer not null default 0,
    unsatisfied integer not null default 0,
    r1 integer not null default 0,
    r2 integer not null default 0,
    r3 integer not null default 0,
    primary key (dim, month, category, key_id)
);

create trigger liaison_tally_insert after insert on liaison_cases begin
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'area', new.month, new.category, new.area_id, 1, (new.state = 'archived'), (new.dispatched_at is not null), (new.first_replied_on is not null), (coalesce(new.on_time, 0) = 1), (new.state = 'closed'), (new.solved = 'solved'), (new.rating <> ''), (new.rating = 'satisfied'), (new.rating = 'basically'), (new.rating = 'unsatisfied'), (new.risk_level = 1), (new.risk_level = 2), (new.risk_level = 3)
        where new.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'unit', new.month, '', new.handler_id, 1, (new.state = 'archived'), (new.dispatched_at is not null), (new.first_replied_on is not null), (coalesce(new.on_time, 0) = 1), (new.state = 'closed'), (new.solved = 'solved'), (new.rating <> ''), (new.rating = 'satisfied'), (new.rating = 'basically'), (new.rating = 'unsatisfied'), (new.risk_level = 1), (new.risk_level = 2), (new.risk_level = 3)
        where new.state <> 'merged' and new.handler_id is not null
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'point', new.month, '', new.point_id, 1, (new.state = 'archived'), (new.dispatched_at is not null), (new.first_replied_on is not null), (coalesce(new.on_time, 0) = 1), (new.state = 'closed'), (new.solved = 'solved'), (new.rating <> ''), (new.rating = 'satisfied'), (new.rating = 'basically'), (new.rating = 'unsatisfied'), (new.risk_level = 1), (new.risk_level = 2), (new.risk_level = 3)
        where new.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
end;

create trigger liaison_tally_delete after delete on liaison_cases begin
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'area', old.month, old.category, old.area_id, -1, -(old.state = 'archived'), -(old.dispatched_at is not null), -(old.first_replied_on is not null), -(coalesce(old.on_time, 0) = 1), -(old.state = 'closed'), -(old.solved = 'solved'), -(old.rating <> ''), -(old.rating = 'satisfied'), -(old.rating = 'basically'), -(old.rating = 'unsatisfied'), -(old.risk_level = 1), -(old.risk_level = 2), -(old.risk_level = 3)
        where old.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'unit', old.month, '', old.handler_id, -1, -(old.state = 'archived'), -(old.dispatched_at is not null), -(old.first_replied_on is not null), -(coalesce(old.on_time, 0) = 1), -(old.state = 'closed'), -(old.solved = 'solved'), -(old.rating <> ''), -(old.rating = 'satisfied'), -(old.rating = 'basically'), -(old.rating = 'unsatisfied'), -(old.risk_level = 1), -(old.risk_level = 2), -(old.risk_level = 3)
        where old.state <> 'merged' and old.handler_id is not null
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'point', old.month, '', old.point_id, -1, -(old.state = 'archived'), -(old.dispatched_at is not null), -(old.first_replied_on is not null), -(coalesce(old.on_time, 0) = 1), -(old.state = 'closed'), -(old.solved = 'solved'), -(old.rating <> ''), -(old.rating = 'satisfied'), -(old.rating = 'basically'), -(old.rating = 'unsatisfied'), -(old.risk_level = 1), -(old.risk_level = 2), -(old.risk_level = 3)
        where old.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
end;

create trigger liaison_tally_update after update of month, category, area_id, handler_id, point_id, state, dispatched_at, first_replied_on, on_time, solved, rating, risk_level on liaison_cases
    when old.month is not new.month or old.category is not new.category or old.area_id is not new.area_id or old.handler_id is not new.handler_id or old.point_id is not new.point_id or old.state is not new.state or old.dispatched_at is not new.dispatched_at or old.first_replied_on is not new.first_replied_on or old.on_time is not new.on_time or old.solved is not new.solved or old.rating is not new.rating or old.risk_level is not new.risk_level
begin
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'area', old.month, old.category, old.area_id, -1, -(old.state = 'archived'), -(old.dispatched_at is not null), -(old.first_replied_on is not null), -(coalesce(old.on_time, 0) = 1), -(old.state = 'closed'), -(old.solved = 'solved'), -(old.rating <> ''), -(old.rating = 'satisfied'), -(old.rating = 'basically'), -(old.rating = 'unsatisfied'), -(old.risk_level = 1), -(old.risk_level = 2), -(old.risk_level = 3)
        where old.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'unit', old.month, '', old.handler_id, -1, -(old.state = 'archived'), -(old.dispatched_at is not null), -(old.first_replied_on is not null), -(coalesce(old.on_time, 0) = 1), -(old.state = 'closed'), -(old.solved = 'solved'), -(old.rating <> ''), -(old.rating = 'satisfied'), -(old.rating = 'basically'), -(old.rating = 'unsatisfied'), -(old.risk_level = 1), -(old.risk_level = 2), -(old.risk_level = 3)
        where old.state <> 'merged' and old.handler_id is not null
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'point', old.month, '', old.point_id, -1, -(old.state = 'archived'), -(old.dispatched_at is not null), -(old.first_replied_on is not null), -(coalesce(old.on_time, 0) = 1), -(old.state = 'closed'), -(old.solved = 'solved'), -(old.rating <> ''), -(old.rating = 'satisfied'), -(old.rating = 'basically'), -(old.rating = 'unsatisfied'), -(old.risk_level = 1), -(old.risk_level = 2), -(old.risk_level = 3)
        where old.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'area', new.month, new.category, new.area_id, 1, (new.state = 'archived'), (new.dispatched_at is not null), (new.first_replied_on is not null), (coalesce(new.on_time, 0) = 1), (new.state = 'closed'), (new.solved = 'solved'), (new.rating <> ''), (new.rating = 'satisfied'), (new.rating = 'basically'), (new.rating = 'unsatisfied'), (new.risk_level = 1), (new.risk_level = 2), (new.risk_level = 3)
        where new.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'unit', new.month, '', new.handler_id, 1, (new.state = 'archived'), (new.dispatched_at is not null), (new.first_replied_on is not null), (coalesce(new.on_time, 0) = 1), (new.state = 'closed'), (new.solved = 'solved'), (new.rating <> ''), (new.rating = 'satisfied'), (new.rating = 'basically'), (new.rating = 'unsatisfied'), (new.risk_level = 1), (new.risk_level = 2), (new.risk_level = 3)
        where new.state <> 'merged' and new.handler_id is not null
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        select 'point', new.month, '', new.point_id, 1, (new.state = 'archived'), (new.dispatched_at is not null), (new.first_replied_on is not null), (coalesce(new.on_time, 0) = 1), (new.state = 'closed'), (new.solved = 'solved'), (new.rating <> ''), (new.rating = 'satisfied'), (new.rating = 'basically'), (new.rating = 'unsatisfied'), (new.risk_level = 1), (new.risk_level = 2), (new.risk_level = 3)
        where new.state <> 'merged'
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
end;

insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
    select 'area', c.month, c.category, c.area_id, sum(1), sum((c.state = 'archived')), sum((c.dispatched_at is not null)), sum((c.first_replied_on is not null)), sum((coalesce(c.on_time, 0) = 1)), sum((c.state = 'closed')), sum((c.solved = 'solved')), sum((c.rating <> '')), sum((c.rating = 'satisfied')), sum((c.rating = 'basically')), sum((c.rating = 'unsatisfied')), sum((c.risk_level = 1)), sum((c.risk_level = 2)), sum((c.risk_level = 3))
    from liaison_cases c where c.state <> 'merged' group by c.month, c.category, c.area_id;
insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
    select 'unit', c.month, '', c.handler_id, sum(1), sum((c.state = 'archived')), sum((c.dispatched_at is not null)), sum((c.first_replied_on is not null)), sum((coalesce(c.on_time, 0) = 1)), sum((c.state = 'closed')), sum((c.solved = 'solved')), sum((c.rating <> '')), sum((c.rating = 'satisfied')), sum((c.rating = 'basically')), sum((c.rating = 'unsatisfied')), sum((c.risk_level = 1)), sum((c.risk_level = 2)), sum((c.risk_level = 3))
    from liaison_cases c where c.state <> 'merged' and c.handler_id is not null group by c.month, c.handler_id;
insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
    select 'point', c.month, '', c.point_id, sum(1), sum((c.state = 'archived')), sum((c.dispatched_at is not null)), sum((c.first_replied_on is not null)), sum((coalesce(c.on_time, 0) = 1)), sum((c.state = 'closed')), sum((c.solved = 'solved')), sum((c.rating <> '')), sum((c.rating = 'satisfied')), sum((c.rating = 'basically')), sum((c.rating = 'unsatisfied')), sum((c.risk_level = 1)), sum((c.risk_level = 2)), sum((c.risk_level = 3))
    from liaison_cases c where c.state <> 'merged' group by c.month, c.point_id;

-- Open cases past due are counted on the day from this small index.
create index liaison_cases_unreplied on liaison_cases(due_on) where first_replied_on is null;
