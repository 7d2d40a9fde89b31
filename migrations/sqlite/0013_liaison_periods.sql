-- The figures read one year of cases: every column they sum is in this index,
-- so a year is read from the index alone, never from the wide rows.
create index liaison_cases_tally on liaison_cases(year, month, category, area_id, handler_id, point_id, state,
    dispatched_at, first_replied_on, on_time, due_on, solved, rating, risk_level);
-- Hot topics read the last weeks' keywords and repeats the same way.
create index liaison_cases_recent on liaison_cases(submitted_on, state, point_id, handler_id, dup_of, keywords);
