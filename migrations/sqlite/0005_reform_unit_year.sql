-- A cooperating unit's row carries its task's year, so that "the tasks a unit
-- takes part in this year" (the list's unit filter, a county's own view) is
-- one index range instead of every year's rows. `store::set_children` writes
-- it with the task; a task's year changes only through `store::update`, which
-- rewrites these rows.
alter table reform_task_units add column year integer not null default 0;
update reform_task_units set year = (select t.year from reform_tasks t where t.id = reform_task_units.task_id);
create index reform_task_units_year on reform_task_units(year, unit_id, task_id);
