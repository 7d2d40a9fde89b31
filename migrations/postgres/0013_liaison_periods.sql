-- The figures read one year of cases, the hot topics a few weeks: both by index.
create index liaison_cases_year on liaison_cases(year, month);
create index liaison_cases_submitted on liaison_cases(submitted_on);
