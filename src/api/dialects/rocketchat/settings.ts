/**
 * Rocket.Chat's LDAP settings as views of the one stored directory source (the default, org 0):
 * what /settings writes, grommunio's /system/mconf/ldap reads, and the other way round.
 */

type Json = Record<string, unknown>;

export interface SettingView {
  read(config: Json): unknown;
  /** The config with the value applied, or an error message saying what is accepted. */
  write(config: Json, value: unknown): Json | string;
}

const conn = (c: Json): Json => (c.connection ?? {}) as Json;
const users = (c: Json): Json => (c.users ?? {}) as Json;
const withConn = (c: Json, patch: Json): Json => ({ ...c, connection: { ...conn(c), ...patch } });
const withUsers = (c: Json, patch: Json): Json => ({ ...c, users: { ...users(c), ...patch } });

const bool = (apply: (c: Json, v: boolean) => Json) => (c: Json, v: unknown) => (typeof v === 'boolean' ? apply(c, v) : 'the value must be true or false');
const text = (apply: (c: Json, v: string) => Json) => (c: Json, v: unknown) => (typeof v === 'string' ? apply(c, v) : 'the value must be a string');

/** Rocket.Chat's select values for the interval, and the cron expressions it runs them as. */
const INTERVALS: Record<string, string> = {
  every_1_hour: '0 * * * *', every_6_hours: '0 */6 * * *', every_12_hours: '0 */12 * * *', every_24_hours: '0 0 * * *', every_48_hours: '0 0 */2 * *',
};

/** every_24_hours, "Every 24 hours", "Every 15 minutes" (Rocket.Chat's forms), a cron expression or an RFC 5545 rule. */
function scheduleFrom(value: string): string | null {
  if (INTERVALS[value.trim()]) return INTERVALS[value.trim()]!;
  const every = /^every\s+(\d+)\s+(minute|hour|day)s?$/i.exec(value.trim());
  if (every) return `FREQ=${{ minute: 'MINUTELY', hour: 'HOURLY', day: 'DAILY' }[every[2]!.toLowerCase() as 'minute']};INTERVAL=${every[1]}`;
  return value.trim() || null;
}

function firstServer(c: Json): URL | null {
  try { return new URL(String(conn(c).server ?? '').split(/\s+/)[0] ?? ''); } catch { return null; }
}

const SYNC_AVATARS: SettingView = { read: (c) => c.syncAvatars !== false, write: bool((c, v) => ({ ...c, syncAvatars: v })) };

export const SETTINGS: Record<string, SettingView> = {
  LDAP_Enable: { read: (c) => Object.keys(c).length > 0 && c.disabled !== true, write: bool((c, v) => ({ ...c, disabled: !v })) },
  LDAP_Host: {
    read: (c) => firstServer(c)?.hostname ?? '',
    write: text((c, v) => { const u = firstServer(c) ?? new URL('ldap://localhost'); u.hostname = v; return withConn(c, { server: u.toString().replace(/\/$/, '') }); }),
  },
  LDAP_Port: {
    read: (c) => { const u = firstServer(c); return u ? Number(u.port || (u.protocol === 'ldaps:' ? 636 : 389)) : 389; },
    write: (c, v) => { const n = Number(v); if (!Number.isInteger(n) || n < 1 || n > 65535) return 'the port must be a whole number from 1 to 65535'; const u = firstServer(c) ?? new URL('ldap://localhost'); u.port = String(n); return withConn(c, { server: u.toString().replace(/\/$/, '') }); },
  },
  LDAP_Encryption: {
    read: (c) => (firstServer(c)?.protocol === 'ldaps:' ? 'ssl' : conn(c).starttls ? 'tls' : 'plain'),
    write: (c, v) => {
      if (v !== 'plain' && v !== 'tls' && v !== 'ssl') return "the value must be 'plain', 'tls' or 'ssl'";
      const u = firstServer(c) ?? new URL('ldap://localhost');
      const url = `${v === 'ssl' ? 'ldaps' : 'ldap'}://${u.host}`;
      return withConn(c, { server: url, starttls: v === 'tls' });
    },
  },
  LDAP_CA_Cert_File: { read: (c) => conn(c).caFile ?? '', write: text((c, v) => withConn(c, { caFile: v || null })) },
  LDAP_Reject_Unauthorized: { read: (c) => conn(c).tlsVerify !== false, write: bool((c, v) => withConn(c, { tlsVerify: v })) },
  LDAP_BaseDN: { read: (c) => c.baseDn ?? '', write: text((c, v) => ({ ...c, baseDn: v })) },
  LDAP_Authentication_UserDN: { read: (c) => conn(c).bindUser ?? '', write: text((c, v) => withConn(c, { bindUser: v })) },
  // Write-only: reading it gives an empty string, as for every secret here.
  LDAP_Authentication_Password: { read: () => '', write: text((c, v) => withConn(c, { bindPass: v })) },
  LDAP_User_Search_Filter: { read: (c) => users(c).filter ?? '', write: text((c, v) => withUsers(c, { filter: v || undefined })) },
  LDAP_Unique_Identifier_Field: { read: (c) => c.objectID ?? '', write: text((c, v) => ({ ...c, objectID: v })) },
  LDAP_Avatar_Field: { read: (c) => c.avatarAttribute ?? '', write: text((c, v) => ({ ...c, avatarAttribute: v || undefined })) },
  LDAP_Merge_Existing_Users: { read: (c) => c.mergeExistingUsers === true, write: bool((c, v) => ({ ...c, mergeExistingUsers: v })) },
  LDAP_Background_Sync: { read: (c) => typeof c.schedule === 'string' && c.schedule !== '', write: bool((c, v) => ({ ...c, schedule: v ? (c.schedule || 'FREQ=DAILY') : undefined })) },
  LDAP_Background_Sync_Interval: { read: (c) => Object.entries(INTERVALS).find(([, cron]) => cron === c.schedule)?.[0] ?? c.schedule ?? '', write: text((c, v) => ({ ...c, schedule: scheduleFrom(v) ?? undefined })) },
  LDAP_Background_Sync_Import_New_Users: { read: (c) => c.scheduleImport !== false, write: bool((c, v) => ({ ...c, scheduleImport: v })) },
  LDAP_Background_Sync_Keep_Existant_Users_Updated: {
    read: () => true,
    write: (c, v) => (v === true ? c : 'ldapsync always keeps linked users updated; this setting can only be true'),
  },
  // ldapsync syncs avatars with every run (and at sign-in) or never: both settings are that one switch.
  LDAP_Sync_User_Avatar: SYNC_AVATARS,
  LDAP_Background_Sync_Avatars: SYNC_AVATARS,
  LDAP_Sync_User_Active_State: {
    read: (c) => (c.deactivateGone === false ? 'none' : 'both'),
    write: (c, v) => (v === 'none' || v === 'disable' || v === 'both' ? { ...c, deactivateGone: v !== 'none' } : "the value must be 'none', 'disable' or 'both'"),
  },
};
