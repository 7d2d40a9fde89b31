-- Counters of changes to reform tasks (with their cooperating units and tags)
-- and to dictionary items. Each node keeps the task list's recent answers
-- (its rows, how many of each colour) and its choice lists, and uses them
-- only while the counters are what they were when they were read. Triggers
-- count every write, whichever code or node makes it.
insert into settings (key, value, updated_at) values ('reform.version', '0', 0) on conflict (key) do nothing;
insert into settings (key, value, updated_at) values ('dicts.version', '0', 0) on conflict (key) do nothing;

create trigger reform_tasks_version_insert after insert on reform_tasks
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_tasks_version_update after update on reform_tasks
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_tasks_version_delete after delete on reform_tasks
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_task_units_version_insert after insert on reform_task_units
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_task_units_version_update after update on reform_task_units
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_task_units_version_delete after delete on reform_task_units
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_task_tags_version_insert after insert on reform_task_tags
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_task_tags_version_update after update on reform_task_tags
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger reform_task_tags_version_delete after delete on reform_task_tags
begin update settings set value = cast(value as integer) + 1 where key = 'reform.version'; end;
create trigger dict_items_version_insert after insert on dict_items
begin update settings set value = cast(value as integer) + 1 where key = 'dicts.version'; end;
create trigger dict_items_version_update after update on dict_items
begin update settings set value = cast(value as integer) + 1 where key = 'dicts.version'; end;
create trigger dict_items_version_delete after delete on dict_items
begin update settings set value = cast(value as integer) + 1 where key = 'dicts.version'; end;
