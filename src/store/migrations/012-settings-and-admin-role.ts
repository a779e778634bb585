/**
 * A key-value table for the few settings that belong to no directory source (Rocket.Chat's
 * Accounts_AvatarBlockUnauthenticatedAccess, grommunio's authmgr sign-in backend), and the
 * Rocket.Chat `admin` role made explicit: until now SystemAdmins held every named permission
 * whatever the permission's role list said; from here they hold what the `admin` role holds,
 * which starts as every named permission known at this point.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../sql-dialect.ts';

const NAMED_PERMISSIONS_THEN = ['sync-auth-services-users', 'test-admin-options', 'view-privileged-setting', 'edit-privileged-setting', 'access-permissions', 'assign-roles'];

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createTable('settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into roles (name, description) select 'admin', 'Rocket.Chat''s admin role: what SystemAdmins hold of the named permissions' where not exists (select 1 from roles where name = 'admin')`.execute(db);
  for (const permission of NAMED_PERMISSIONS_THEN) {
    await sql`insert into role_permissions (role_id, permission, param) select id, ${permission}, '' from roles where name = 'admin' and not exists (select 1 from role_permissions rp where rp.role_id = roles.id and rp.permission = ${permission} and rp.param = '')`.execute(db);
  }
}
