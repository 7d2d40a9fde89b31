-- A cooperating unit's row carries its task's year, so that "the tasks a unit
-- takes part in this year" (the list's unit filter, a county's own view) is
-- one index range instead of every year's rows. `store::set_children` writes
-- it with the task; a task's year changes only through `store::update`, which
-- rewrites these rows.
alter table reform_task_units add column year bigint not null default 0;
update reform_task_units x set year = t.year from reform_tasks t where t.id = x.task_id;
alter table reform_task_units alter column year drop default;
create index reform_task_units_year on reform_task_units(year, unit_id, task_id);
-- The lead side of the same question, answered from the index alone.
drop index reform_tasks_lead;
create index reform_tasks_lead on reform_tasks(lead_unit_id, year, colour, status) include (id);
-- The list's colour counts and page ids read the year's index alone
-- (SQLite's indexes carry the row id and `reform_tasks_year_code` already).
drop index reform_tasks_year_colour;
create index reform_tasks_year_colour on reform_tasks(year, colour, status, lead_unit_id) include (id, code);
