/** Table types for Kysely. Timestamps are ISO-8601 text and JSON is text on both dialects. */
import type { Generated } from 'kysely';

export interface OrganizationsTable {
  id: Generated<number>;
  name: string;
  description: string;
  created_at: string;
}

export interface DomainsTable {
  id: Generated<number>;
  org_id: number;
  name: string;
  title: string;
  active: number;
  created_at: string;
}

export interface DirectorySourcesTable {
  /** 0 is the system default; any other value overrides it for one organization. */
  org_id: number;
  config: string;
  updated_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  domain_id: number;
  username: string;
  extern_id: Uint8Array | null;
  /** `store/extern-key.ts` of extern_id: what lookups by ID use. */
  extern_key: number | null;
  dn: string | null;
  display_name: string;
  email: string | null;
  aliases: string;
  lang: string;
  status: string;
  status_source: string | null;
  status_reason: string | null;
  properties: string;
  sync_hash: string | null;
  entry_key: string | null;
  last_synced_at: string | null;
  created_at: string;
  updated_at: string;
  groups: Generated<string>;
  roles: Generated<string>;
  status_changed_at: string | null;
  avatar_hash: string | null;
}

export interface AvatarsTable {
  hash: string;
  content_type: string;
  width: number;
  height: number;
  size: number;
  data: Uint8Array;
  created_at: string;
}

export interface TasksTable {
  id: Generated<number>;
  command: string;
  params: string;
  state: number;
  progress: number;
  message: string;
  result: string | null;
  domain_id: number | null;
  org_id: number | null;
  owner: string;
  created_at: string;
  updated_at: string;
  cancel_requested: Generated<number>;
}

export interface SyncRunsTable {
  id: Generated<number>;
  task_id: number | null;
  domain_id: number;
  status: string;
  dry_run: number;
  import_new: number;
  counts: string;
  entries_seen: number;
  error_code: number | null;
  message: string;
  started_at: string;
  finished_at: string | null;
  mode: Generated<string>;
  /** The users the run found unchanged (an IdBitmap); null: none, or they have outcome rows. */
  confirmed: Generated<Uint8Array | null>;
  created: Generated<Uint8Array | null>;
  created_base: Generated<number | null>;
  confirmed_base: Generated<number | null>;
}

export interface SyncStateTable {
  domain_id: number;
  mechanism: string;
  cookie: string;
  last_full_at: string;
  updated_at: string;
}

export interface PendingDeactivationsTable {
  run_id: number;
  user_id: number;
  username: string;
  /** Null: gone from the directory; else why the account counts as disabled. */
  reason: string | null;
}

export interface SyncOutcomesTable {
  run_id: number;
  seq: number;
  user_id: number;
  username: string;
  code: number;
  message: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  before: string | null;
  after: string | null;
}

export interface AccountsTable {
  id: Generated<number>;
  username: string;
  password_hash: string | null;
  display_name: string;
  email: string | null;
  active: number;
  created_at: string;
  totp_secret: string | null;
  totp_enabled: Generated<number>;
  backup_codes: Generated<string>;
  digest_hash: string | null;
  email2fa_enabled: Generated<number>;
  email_code_hash: string | null;
  email_code_expires: string | null;
  /** Hex of the directory entry's stable ID, for accounts made by directory sign-in. */
  extern_id: string | null;
  totp_last_step: number | null;
}

export interface SessionsTable {
  id: string;
  account_id: number;
  created_at: string;
  expires_at: string;
}

export interface LoginTokensTable {
  id: Generated<number>;
  account_id: number;
  hashed_token: string;
  created_at: string;
  expires_at: string;
}

export interface RolesTable {
  id: Generated<number>;
  name: string;
  description: string;
}

export interface RolePermissionsTable {
  role_id: number;
  permission: string;
  param: string;
}

export interface AccountRolesTable {
  account_id: number;
  role_id: number;
}

export interface SyncLocksTable {
  domain_id: number;
  holder: string;
  acquired_at: string;
  heartbeat_at: string;
}

export interface ScheduleFiresTable {
  org_id: number;
  fired_at: string;
}

export interface SettingsTable {
  key: string;
  /** JSON text. */
  value: string;
  updated_at: string;
}

export interface Database {
  organizations: OrganizationsTable;
  domains: DomainsTable;
  directory_sources: DirectorySourcesTable;
  users: UsersTable;
  tasks: TasksTable;
  sync_runs: SyncRunsTable;
  sync_outcomes: SyncOutcomesTable;
  audit_events: AuditEventsTable;
  accounts: AccountsTable;
  roles: RolesTable;
  role_permissions: RolePermissionsTable;
  account_roles: AccountRolesTable;
  sync_state: SyncStateTable;
  pending_deactivations: PendingDeactivationsTable;
  sync_locks: SyncLocksTable;
  schedule_fires: ScheduleFiresTable;
  login_tokens: LoginTokensTable;
  sessions: SessionsTable;
  avatars: AvatarsTable;
  settings: SettingsTable;
}
