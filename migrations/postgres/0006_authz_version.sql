-- A counter of changes to what a signed-in person may do. Each node keeps the
-- people it has loaded and reads this counter with the session on every
-- request, loading a person again only after it has moved. Triggers count
-- every write that reaches a permission (account, roles, grants, chosen
-- units, unit names and paths), whichever code or node makes it.
insert into settings (key, value, updated_at) values ('authz.version', '0', 0) on conflict (key) do nothing;

create function authz_touched() returns trigger language plpgsql as $$
begin
    update settings set value = (value::bigint + 1)::text where key = 'authz.version';
    return null;
end
$$;

create trigger accounts_authz after update of username, display_name, unit_id, status, locale or delete on accounts
    for each statement execute function authz_touched();
create trigger account_roles_authz after insert or update or delete on account_roles
    for each statement execute function authz_touched();
create trigger role_permissions_authz after insert or update or delete on role_permissions
    for each statement execute function authz_touched();
create trigger roles_authz after update of code, name, admin_kind or delete on roles
    for each statement execute function authz_touched();
create trigger account_scope_units_authz after insert or update or delete on account_scope_units
    for each statement execute function authz_touched();
create trigger units_authz after update of name, path on units
    for each statement execute function authz_touched();
