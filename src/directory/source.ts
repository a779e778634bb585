/**
 * A directory source: grommunio's `ldapConfig` shape plus the settings it lacks.
 * `parseSource` is the single gate every config passes (CLI, API, store): it applies the vendor
 * preset, checks for contradictions and says what to fix.
 */
import { isAbsolute } from 'node:path';
import { pemProblem } from './ca-file.ts';
import { scheduleError } from '../tasks/recurrence.ts';
import { DEFAULT_VENDOR, isVendor, presetFor, TEMPLATE_NAMES, type Vendor, VENDORS } from './presets.ts';
import { unknownSourceKeys } from './source-keys.ts';
import { bool, checkAttribute, checkFilter, int, isObject, type Json, parseServers, str, strings } from './source-fields.ts';

export interface SourceConnection {
  servers: string[];
  bindUser: string;
  bindPass: string;
  starttls: boolean;
  /** PEM file on this server with the CA to trust (only a SystemAdmin may name one); the system store when absent. */
  caFile: string | null;
  /** The CA as PEM text, pasted in: what tenant admins use instead of a file. */
  caPem: string | null;
  /** Certificate verification; only a deliberate `false` turns it off. */
  tlsVerify: boolean;
  connectTimeoutMs: number;
  timeoutMs: number;
}

export interface SourceUsers {
  username: string;
  displayName: string;
  filter: string;
  filters: string[];
  searchAttributes: string[];
  attributes: Record<string, string>;
  templates: string[];
  aliases: string;
  defaultQuota: number | null;
  /**
   * Entries matching this filter are synced as deactivated, on top of the built-in account-state
   * attributes (userAccountControl, pwdAccountLockedTime, nsAccountLock).
   */
  disabledFilter: string | null;
}

export const DELTA_MECHANISMS = ['auto', 'syncrepl', 'accesslog', 'dirsync', 'usn', 'timestamp', 'off'] as const;
export type DeltaSetting = (typeof DELTA_MECHANISMS)[number];

export interface SourceGroups {
  enabled: boolean;
  filter: string;
  /** Attribute naming a group (cn). */
  nameAttribute: string;
  /** Group name (or DN) to role name. */
  roleMap: Record<string, string>;
}

export interface DirectorySource {
  disabled: boolean;
  vendor: Vendor;
  connection: SourceConnection;
  baseDn: string;
  objectID: string;
  users: SourceUsers;
  groups: SourceGroups;
  pageSize: number;
  /** Deactivate linked users whose entry left the directory (after a complete enumeration only). */
  deactivateGone: boolean;
  /** A run that would deactivate more than this waits for an admin's approval. */
  threshold: { percent: number; count: number };
  /** Delete users gone for this many days (null: never delete, only deactivate). */
  deleteAfterDays: number | null;
  delta: DeltaSetting;
  /** A full reconcile runs when the last one is older than this. */
  fullSyncEveryHours: number;
  /** Margin for clock skew when changes are found by modifyTimestamp. */
  clockSkewSeconds: number;
  /** When to sync on its own: a cron expression or an RFC 5545 rule; null: only when asked. */
  schedule: string | null;
  /** Whether scheduled runs also import new users. */
  scheduleImport: boolean;
  /** Link a local user with the same name instead of answering 409 (Rocket.Chat's LDAP_Merge_Existing_Users). */
  mergeExistingUsers: boolean;
  avatars: SourceAvatars;
}

export interface SourceAvatars {
  /** Sync photos as avatars (Rocket.Chat's LDAP_Sync_User_Avatar). */
  enabled: boolean;
  /** The photo attribute; null: thumbnailPhoto, else jpegPhoto (Rocket.Chat's LDAP_Avatar_Field). */
  attribute: string | null;
  maxBytes: number;
  maxPixels: number;
}

/** Rocket.Chat's order: the configured photo attribute, else thumbnailPhoto, else jpegPhoto. */
export function avatarAttributes(configured: string | null): string[] {
  return configured ? [configured] : ['thumbnailPhoto', 'jpegPhoto'];
}

export class SourceConfigError extends Error {
  readonly errors: string[];
  constructor(errors: string[]) {
    super(`Invalid LDAP configuration: ${errors.join('; ')}`);
    this.errors = errors;
  }
}

/** Parses and validates a config object; throws SourceConfigError listing every problem. */
export function parseSource(input: unknown): DirectorySource {
  const errors: string[] = [];
  if (!isObject(input)) throw new SourceConfigError(['the LDAP configuration must be a JSON object']);
  const conn = isObject(input.connection) ? input.connection : {};
  if (input.connection !== undefined && !isObject(input.connection)) errors.push('connection must be an object');
  const users = isObject(input.users) ? input.users : {};
  if (input.users !== undefined && !isObject(input.users)) errors.push('users must be an object');
  const groups = isObject(input.groups) ? input.groups : {};
  if (input.groups !== undefined && !isObject(input.groups)) errors.push('groups must be an object');
  errors.push(...unknownSourceKeys(input));

  const vendorName = str(input, 'vendor', '', errors) ?? DEFAULT_VENDOR;
  if (!isVendor(vendorName)) errors.push(`vendor '${vendorName}' is unknown; use one of ${VENDORS.join(', ')}`);
  const vendor: Vendor = isVendor(vendorName) ? vendorName : DEFAULT_VENDOR;
  const preset = presetFor(vendor);

  const starttls = bool(conn, 'starttls', 'connection.', errors) ?? false;
  const servers = parseServers(str(conn, 'server', 'connection.', errors) ?? '', starttls, errors);
  const baseDn = str(input, 'baseDn', '', errors) ?? '';
  if (!baseDn) errors.push('baseDn is required: the DN under which users are searched, e.g. ou=people,dc=example,dc=org');
  const objectID = str(input, 'objectID', '', errors) || preset.objectID;
  checkAttribute(objectID, 'objectID', errors);

  const attributes: Record<string, string> = {};
  const rawAttributes = users.attributes;
  if (rawAttributes !== undefined && rawAttributes !== null) {
    if (!isObject(rawAttributes)) errors.push('users.attributes must map attribute names to property names');
    else for (const [k, v] of Object.entries(rawAttributes)) {
      if (typeof v !== 'string') errors.push(`users.attributes.${k} must be a property name`);
      else { checkAttribute(k, 'users.attributes key', errors); attributes[k] = v; }
    }
  }
  const templates = strings(users, 'templates', 'users.', errors) ?? [];
  for (const t of templates) if (!TEMPLATE_NAMES.includes(t)) errors.push(`users.templates: unknown template '${t}'; use ${TEMPLATE_NAMES.join(', ')}`);

  const parsedUsers: SourceUsers = {
    username: str(users, 'username', 'users.', errors) || preset.username,
    displayName: str(users, 'displayName', 'users.', errors) || preset.displayName,
    filter: str(users, 'filter', 'users.', errors) || preset.filter,
    filters: strings(users, 'filters', 'users.', errors) ?? [],
    searchAttributes: strings(users, 'searchAttributes', 'users.', errors) ?? preset.searchAttributes,
    attributes,
    templates,
    aliases: str(users, 'aliases', 'users.', errors) ?? preset.aliases,
    defaultQuota: int(users, 'defaultQuota', 'users.', errors, 0, Number.MAX_SAFE_INTEGER) ?? null,
    disabledFilter: str(users, 'disabledFilter', 'users.', errors) || null,
  };
  for (const [label, name] of [['users.username', parsedUsers.username], ['users.displayName', parsedUsers.displayName], ['users.aliases', parsedUsers.aliases]] as const) checkAttribute(name, label, errors);
  checkFilter(parsedUsers.filter, 'users.filter', errors);
  parsedUsers.filters.forEach((f, i) => checkFilter(f, `users.filters[${i}]`, errors));
  checkFilter(parsedUsers.disabledFilter, 'users.disabledFilter', errors);

  const roleMap: Record<string, string> = {};
  if (groups.roleMap !== undefined) {
    if (!isObject(groups.roleMap)) errors.push('groups.roleMap must map group names to role names');
    else for (const [k, v] of Object.entries(groups.roleMap)) {
      if (typeof v !== 'string' || !v) errors.push(`groups.roleMap.${k} must be a role name`); else roleMap[k] = v;
    }
  }
  const groupFilter = str(groups, 'groupfilter', 'groups.', errors) || str(groups, 'filter', 'groups.', errors) || preset.groupFilter;
  checkFilter(groupFilter, 'groups.groupfilter', errors);
  const parsedGroups: SourceGroups = {
    enabled: bool(groups, 'enabled', 'groups.', errors) ?? (Object.keys(roleMap).length > 0 || !!groups.groupfilter),
    filter: groupFilter,
    nameAttribute: str(groups, 'groupname', 'groups.', errors) || 'cn',
    roleMap,
  };
  const threshold = isObject(input.threshold) ? input.threshold : {};
  const delta = (str(input, 'delta', '', errors) || 'auto') as DeltaSetting;
  if (!DELTA_MECHANISMS.includes(delta)) errors.push(`delta '${delta}' is unknown; use one of ${DELTA_MECHANISMS.join(', ')}`);
  const deleteAfterDays = int(input, 'deleteAfterDays', '', errors, 1, 3650);

  const bindUser = str(conn, 'bindUser', 'connection.', errors) ?? '';
  const source: DirectorySource = {
    disabled: bool(input, 'disabled', '', errors) ?? false,
    vendor,
    connection: {
      servers,
      bindUser,
      bindPass: typeof conn.bindPass === 'string' ? conn.bindPass : '',
      starttls,
      caFile: str(conn, 'caFile', 'connection.', errors) || null,
      caPem: str(conn, 'caPem', 'connection.', errors) || null,
      tlsVerify: bool(conn, 'tlsVerify', 'connection.', errors) ?? true,
      connectTimeoutMs: (int(conn, 'connectTimeout', 'connection.', errors, 1, 600) ?? 10) * 1000,
      timeoutMs: (int(conn, 'timeout', 'connection.', errors, 1, 3600) ?? 60) * 1000,
    },
    baseDn,
    objectID,
    users: parsedUsers,
    groups: parsedGroups,
    pageSize: int(input, 'pageSize', '', errors, 1, 10000) ?? 1000,
    deactivateGone: bool(input, 'deactivateGone', '', errors) ?? true,
    threshold: { percent: int(threshold, 'percent', 'threshold.', errors, 0, 100) ?? 10, count: int(threshold, 'count', 'threshold.', errors, 0, 10_000_000) ?? 500 },
    deleteAfterDays: deleteAfterDays ?? null,
    delta,
    fullSyncEveryHours: int(input, 'fullSyncEveryHours', '', errors, 1, 24 * 365) ?? 24,
    clockSkewSeconds: int(input, 'clockSkewSeconds', '', errors, 0, 86400) ?? 300,
    schedule: str(input, 'schedule', '', errors) || null,
    scheduleImport: bool(input, 'scheduleImport', '', errors) ?? true,
    mergeExistingUsers: bool(input, 'mergeExistingUsers', '', errors) ?? false,
    avatars: {
      enabled: bool(input, 'syncAvatars', '', errors) ?? true,
      attribute: str(input, 'avatarAttribute', '', errors) || null,
      maxBytes: int(input, 'avatarMaxBytes', '', errors, 1024, 16 * 1024 * 1024) ?? 1024 * 1024,
      maxPixels: int(input, 'avatarMaxPixels', '', errors, 1, 100_000_000) ?? 4096 * 4096,
    },
  };
  checkAttribute(source.avatars.attribute ?? undefined, 'avatarAttribute', errors);
  if (source.connection.caFile && !isAbsolute(source.connection.caFile)) errors.push(`connection.caFile '${source.connection.caFile.slice(0, 200)}' must be an absolute path`);
  const pem = source.connection.caPem && pemProblem(source.connection.caPem);
  if (pem) errors.push(pem);
  const scheduleProblem = source.schedule ? (source.schedule.length > 200 ? 'it is too long' : scheduleError(source.schedule)) : null;
  if (scheduleProblem) errors.push(`schedule '${source.schedule!.slice(0, 200)}' is neither a cron expression (e.g. */15 * * * *) nor an RFC 5545 rule (e.g. FREQ=HOURLY): ${scheduleProblem}`);
  if (conn.bindPass !== undefined && typeof conn.bindPass !== 'string') errors.push('connection.bindPass must be a string');
  if (bindUser && !source.connection.bindPass) errors.push('connection.bindPass is required when bindUser is set (a stored one is kept only while the servers, TLS settings and bind DN stay the same)');
  if (errors.length) throw new SourceConfigError(errors);
  return source;
}

/** The config as stored and shown: grommunio's shape plus extensions, `bindPass` left out. */
export function publicSourceView(raw: Json): Json {
  const copy = structuredClone(raw);
  if (isObject(copy.connection)) delete copy.connection.bindPass;
  return copy;
}
