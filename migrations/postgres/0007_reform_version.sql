-- Counters of changes to reform tasks (with their cooperating units and tags)
-- and to dictionary items. Each node keeps the task list's recent answers
-- (its rows, how many of each colour) and its choice lists, and uses them
-- only while the counters are what they were when they were read. Triggers
-- count every write, whichever code or node makes it.
insert into settings (key, value, updated_at) values ('reform.version', '0', 0) on conflict (key) do nothing;
insert into settings (key, value, updated_at) values ('dicts.version', '0', 0) on conflict (key) do nothing;

-- One function for both counters: the trigger names its key.
create function counter_touched() returns trigger language plpgsql as $$
begin
    update settings set value = (value::bigint + 1)::text where key = TG_ARGV[0];
    return null;
end
$$;

create trigger reform_tasks_version after insert or update or delete on reform_tasks
    for each statement execute function counter_touched('reform.version');
create trigger reform_task_units_version after insert or update or delete on reform_task_units
    for each statement execute function counter_touched('reform.version');
create trigger reform_task_tags_version after insert or update or delete on reform_task_tags
    for each statement execute function counter_touched('reform.version');
create trigger dict_items_version after insert or update or delete on dict_items
    for each statement execute function counter_touched('dicts.version');
