-- The latest accepted report of a task's lead unit as of a date (双过半, progress on a date):
-- one index seek per task instead of a scan of the task's reports.
create index reform_reports_accepted on reform_reports(task_id, unit_id, status, reviewed_at);
