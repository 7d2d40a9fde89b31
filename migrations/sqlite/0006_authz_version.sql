-- A counter of changes to what a signed-in person may do. Each node keeps the
-- people it has loaded and reads this counter with the session on every
-- request, loading a person again only after it has moved. Triggers count
-- every write that reaches a permission (account, roles, grants, chosen
-- units, unit names and paths), whichever code or node makes it.
insert into settings (key, value, updated_at) values ('authz.version', '0', 0) on conflict (key) do nothing;

create trigger accounts_authz_update after update of username, display_name, unit_id, status, locale on accounts
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger accounts_authz_delete after delete on accounts
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger account_roles_authz_insert after insert on account_roles
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger account_roles_authz_update after update on account_roles
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger account_roles_authz_delete after delete on account_roles
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger role_permissions_authz_insert after insert on role_permissions
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger role_permissions_authz_update after update on role_permissions
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger role_permissions_authz_delete after delete on role_permissions
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger roles_authz_update after update of code, name, admin_kind on roles
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger roles_authz_delete after delete on roles
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger account_scope_units_authz_insert after insert on account_scope_units
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger account_scope_units_authz_update after update on account_scope_units
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger account_scope_units_authz_delete after delete on account_scope_units
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
create trigger units_authz_update after update of name, path on units
begin update settings set value = cast(value as integer) + 1 where key = 'authz.version'; end;
