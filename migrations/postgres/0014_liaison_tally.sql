-- What the figures of the loop add up (L7), kept by the database itself:
-- every insert, update of a counted column and delete of a case moves the
-- sums of its month by category and area, by handling unit and by contact
-- point, so the office's figures read a few thousand rows instead of a year
-- of cases. Only what does not depend on the day is kept here (the overdue
-- count is read from the open cases). Merged cases are left out, as in the
-- figures. Rebuilt from the cases below; `db::copy` leaves it to the triggers.
create table liaison_tally (
    dim text not null,
    month bigint not null,
    category text not null,
    key_id bigint not null,
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

create function liaison_tally_apply(r liaison_cases, sign integer) returns void language plpgsql as $$
begin
    if r.state = 'merged' then
        return;
    end if;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        values ('area', r.month, r.category, r.area_id, sign * 1, sign * (r.state = 'archived')::integer, sign * (r.dispatched_at is not null)::integer, sign * (r.first_replied_on is not null)::integer, sign * (coalesce(r.on_time, 0) = 1)::integer, sign * (r.state = 'closed')::integer, sign * (r.solved = 'solved')::integer, sign * (r.rating <> '')::integer, sign * (r.rating = 'satisfied')::integer, sign * (r.rating = 'basically')::integer, sign * (r.rating = 'unsatisfied')::integer, sign * (r.risk_level = 1)::integer, sign * (r.risk_level = 2)::integer, sign * (r.risk_level = 3)::integer)
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    if r.handler_id is not null then
        insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        values ('unit', r.month, '', r.handler_id, sign * 1, sign * (r.state = 'archived')::integer, sign * (r.dispatched_at is not null)::integer, sign * (r.first_replied_on is not null)::integer, sign * (coalesce(r.on_time, 0) = 1)::integer, sign * (r.state = 'closed')::integer, sign * (r.solved = 'solved')::integer, sign * (r.rating <> '')::integer, sign * (r.rating = 'satisfied')::integer, sign * (r.rating = 'basically')::integer, sign * (r.rating = 'unsatisfied')::integer, sign * (r.risk_level = 1)::integer, sign * (r.risk_level = 2)::integer, sign * (r.risk_level = 3)::integer)
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
    end if;
    insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
        values ('point', r.month, '', r.point_id, sign * 1, sign * (r.state = 'archived')::integer, sign * (r.dispatched_at is not null)::integer, sign * (r.first_replied_on is not null)::integer, sign * (coalesce(r.on_time, 0) = 1)::integer, sign * (r.state = 'closed')::integer, sign * (r.solved = 'solved')::integer, sign * (r.rating <> '')::integer, sign * (r.rating = 'satisfied')::integer, sign * (r.rating = 'basically')::integer, sign * (r.rating = 'unsatisfied')::integer, sign * (r.risk_level = 1)::integer, sign * (r.risk_level = 2)::integer, sign * (r.risk_level = 3)::integer)
        on conflict (dim, month, category, key_id) do update set
        submitted = liaison_tally.submitted + excluded.submitted, archived = liaison_tally.archived + excluded.archived, dispatched = liaison_tally.dispatched + excluded.dispatched, replied = liaison_tally.replied + excluded.replied, on_time = liaison_tally.on_time + excluded.on_time, closed = liaison_tally.closed + excluded.closed, solved = liaison_tally.solved + excluded.solved, rated = liaison_tally.rated + excluded.rated, satisfied = liaison_tally.satisfied + excluded.satisfied, basically = liaison_tally.basically + excluded.basically, unsatisfied = liaison_tally.unsatisfied + excluded.unsatisfied, r1 = liaison_tally.r1 + excluded.r1, r2 = liaison_tally.r2 + excluded.r2, r3 = liaison_tally.r3 + excluded.r3;
end;
$$;

create function liaison_tally_row() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' and (old.month, old.category, old.area_id, old.handler_id, old.point_id, old.state, old.dispatched_at, old.first_replied_on, old.on_time, old.solved, old.rating, old.risk_level) is not distinct from
        (new.month, new.category, new.area_id, new.handler_id, new.point_id, new.state, new.dispatched_at, new.first_replied_on, new.on_time, new.solved, new.rating, new.risk_level) then
        return null;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        perform liaison_tally_apply(old, -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform liaison_tally_apply(new, 1);
    end if;
    return null;
end;
$$;

create trigger liaison_tally_insert after insert or delete on liaison_cases
    for each row execute function liaison_tally_row();
create trigger liaison_tally_update after update of month, category, area_id, handler_id, point_id, state, dispatched_at, first_replied_on, on_time, solved, rating, risk_level on liaison_cases
    for each row execute function liaison_tally_row();

insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
    select 'area', c.month, c.category, c.area_id, sum(1), sum((c.state = 'archived')::integer), sum((c.dispatched_at is not null)::integer), sum((c.first_replied_on is not null)::integer), sum((coalesce(c.on_time, 0) = 1)::integer), sum((c.state = 'closed')::integer), sum((c.solved = 'solved')::integer), sum((c.rating <> '')::integer), sum((c.rating = 'satisfied')::integer), sum((c.rating = 'basically')::integer), sum((c.rating = 'unsatisfied')::integer), sum((c.risk_level = 1)::integer), sum((c.risk_level = 2)::integer), sum((c.risk_level = 3)::integer)
    from liaison_cases c where c.state <> 'merged' group by c.month, c.category, c.area_id;
insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
    select 'unit', c.month, '', c.handler_id, sum(1), sum((c.state = 'archived')::integer), sum((c.dispatched_at is not null)::integer), sum((c.first_replied_on is not null)::integer), sum((coalesce(c.on_time, 0) = 1)::integer), sum((c.state = 'closed')::integer), sum((c.solved = 'solved')::integer), sum((c.rating <> '')::integer), sum((c.rating = 'satisfied')::integer), sum((c.rating = 'basically')::integer), sum((c.rating = 'unsatisfied')::integer), sum((c.risk_level = 1)::integer), sum((c.risk_level = 2)::integer), sum((c.risk_level = 3)::integer)
    from liaison_cases c where c.state <> 'merged' and c.handler_id is not null group by c.month, c.handler_id;
insert into liaison_tally (dim, month, category, key_id, submitted, archived, dispatched, replied, on_time, closed, solved, rated, satisfied, basically, unsatisfied, r1, r2, r3)
    select 'point', c.month, '', c.point_id, sum(1), sum((c.state = 'archived')::integer), sum((c.dispatched_at is not null)::integer), sum((c.first_replied_on is not null)::integer), sum((coalesce(c.on_time, 0) = 1)::integer), sum((c.state = 'closed')::integer), sum((c.solved = 'solved')::integer), sum((c.rating <> '')::integer), sum((c.rating = 'satisfied')::integer), sum((c.rating = 'basically')::integer), sum((c.rating = 'unsatisfied')::integer), sum((c.risk_level = 1)::integer), sum((c.risk_level = 2)::integer), sum((c.risk_level = 3)::integer)
    from liaison_cases c where c.state <> 'merged' group by c.month, c.point_id;

-- Open cases past due are counted on the day from this small index.
create index liaison_cases_unreplied on liaison_cases(due_on) where first_replied_on is null;
