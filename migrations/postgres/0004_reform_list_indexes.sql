-- The task list at scale: colour counts and the filtered page read only
-- these indexes (year, colour and status with the lead unit), a unit's tasks
-- are found from both sides (as lead, as a cooperating unit), and the
-- default order (by code within a year) is an index walk that checks the
-- filters in the index itself.
drop index reform_tasks_year_colour;
create index reform_tasks_year_colour on reform_tasks(year, colour, status, lead_unit_id);
drop index reform_tasks_lead;
create index reform_tasks_lead on reform_tasks(lead_unit_id, year, colour, status);
drop index reform_task_units_unit;
create index reform_task_units_unit on reform_task_units(unit_id, task_id);
create index reform_tasks_year_code on reform_tasks(year, code, colour, status, lead_unit_id);
-- Every reference to a task or report has its index: the task page looks up
-- what links to it, and PostgreSQL does not index referencing columns itself
-- (without these, removing a year of tasks checks every report per report).
create index reform_reports_supersedes on reform_reports(supersedes_id);
create index reform_star_ratings_task on reform_star_ratings(task_id);
create index reform_findings_task on reform_findings(task_id);
create index reform_notice_links_task on reform_notice_links(task_id);
create index reform_cases_task on reform_cases(task_id);
create index reform_pilots_task on reform_pilots(task_id);
