/**
 * The stored bind password is write-only, and it goes only where it was meant to go: a config
 * that comes back without it (or with it empty, as grommunio's form sends it) keeps the stored
 * one only while the servers, the TLS settings and the bind DN are all unchanged. A changed
 * server would otherwise receive the password someone else set, in a bind it can read.
 */
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Scheme, host and port of each server, in order; the same server written differently compares equal. */
function servers(value: unknown): string[] {
  return String(value ?? '').split(/\s+/).filter(Boolean).map((s) => {
    try {
      const url = new URL(s);
      return `${url.protocol}//${url.hostname.toLowerCase()}:${url.port || (url.protocol === 'ldaps:' ? '636' : '389')}`;
    } catch { return s; }
  });
}

/** Everything that decides where the password is sent and how safely. */
function bindTarget(config: Json | undefined): string {
  const c = isObject(config?.connection) ? config.connection : {};
  return JSON.stringify([servers(c.server), c.starttls === true, c.tlsVerify !== false, c.caFile ?? null, c.caPem ?? null, String(c.bindUser ?? '').trim().toLowerCase()]);
}

export const sameBindTarget = (a: Json | undefined, b: Json | undefined): boolean => bindTarget(a) === bindTarget(b);

const hasPassword = (config: Json | undefined): boolean => {
  const c = config?.connection;
  return isObject(c) && typeof c.bindPass === 'string' && c.bindPass !== '';
};

/** `next` with the stored password where the rule allows it; a given password always wins. */
export function withStoredPassword(next: Json, stored: Json | undefined): Json {
  const connection = isObject(next.connection) ? next.connection : {};
  if (hasPassword(next) || !hasPassword(stored) || !sameBindTarget(next, stored)) {
    if (connection.bindPass === '') {
      const { bindPass: _empty, ...rest } = connection;
      return { ...next, connection: rest };
    }
    return next;
  }
  return { ...next, connection: { ...connection, bindPass: (stored!.connection as Json).bindPass } };
}

/** A config changed in place (one setting at a time): the stored password goes when the target moves. */
export function dropPasswordIfMoved(next: Json, before: Json): Json {
  if (!hasPassword(next) || sameBindTarget(next, before) || (next.connection as Json).bindPass !== (before.connection as Json | undefined)?.bindPass) return next;
  const { bindPass: _dropped, ...rest } = next.connection as Json;
  return { ...next, connection: rest };
}
