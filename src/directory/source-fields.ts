/**
 * The words `parseSource` reads a config with: each reader takes one field of a JSON object and
 * either returns it typed or adds a message saying what is wrong with it (and where), and each
 * check adds one for an attribute name, a filter or a server list that cannot work.
 */
import { FilterParser } from 'ldapts';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function str(obj: Json, key: string, path: string, errors: string[]): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') { errors.push(`${path}${key} must be a string`); return undefined; }
  return v.trim();
}

export function bool(obj: Json, key: string, path: string, errors: string[]): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') { errors.push(`${path}${key} must be true or false`); return undefined; }
  return v;
}

export function int(obj: Json, key: string, path: string, errors: string[], min: number, max: number): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    errors.push(`${path}${key} must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return v;
}

export function strings(obj: Json, key: string, path: string, errors: string[]): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) { errors.push(`${path}${key} must be a list of strings`); return undefined; }
  return (v as string[]).map((s) => s.trim()).filter(Boolean);
}

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$|^\d+(\.\d+)+$/;

export function checkAttribute(name: string | undefined, label: string, errors: string[]): void {
  if (name !== undefined && name !== '' && !ATTRIBUTE_NAME.test(name)) errors.push(`${label} '${name}' is not an attribute name`);
}

/** Literal parentheses in filter values must be written \\28 and \\29, so every raw one is structure. */
function balanced(filter: string): boolean {
  let depth = 0;
  for (const c of filter) {
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export function checkFilter(filter: string | null | undefined, label: string, errors: string[]): void {
  if (!filter) return;
  if (!balanced(filter)) { errors.push(`${label} '${filter}' is not a valid LDAP filter (unbalanced parentheses)`); return; }
  try {
    FilterParser.parseString(filter);
  } catch (e) {
    errors.push(`${label} '${filter}' is not a valid LDAP filter (${(e as Error).message})`);
  }
}

/** Failover tries each in turn: more than this would only lengthen a failing run. */
const MAX_SERVERS = 10;

export function parseServers(server: string, starttls: boolean, errors: string[]): string[] {
  const servers = server.split(/\s+/).filter(Boolean).map((s) => s.replace(/\/+$/, ''));
  if (servers.length === 0) errors.push('connection.server is required: one or more ldap:// or ldaps:// URLs, separated by spaces');
  if (servers.length > MAX_SERVERS) errors.push(`connection.server names ${servers.length} servers; at most ${MAX_SERVERS} are tried`);
  for (const s of servers) {
    let url: URL;
    try { url = new URL(s); } catch { errors.push(`connection.server '${s}' is not a URL`); continue; }
    if (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') errors.push(`connection.server '${s}' must start with ldap:// or ldaps://`);
    if (url.protocol === 'ldaps:' && starttls) errors.push(`connection.server '${s}' is ldaps:// but starttls is on: use ldap:// with StartTLS, or ldaps:// without it`);
    if (url.pathname && url.pathname !== '/' && url.pathname !== '') errors.push(`connection.server '${s}' must not have a path; put the base DN in baseDn`);
  }
  return servers;
}
