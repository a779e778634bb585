/** Attribute names lower-cased; values as strings, or bytes for binary attributes. */
export interface DirectoryEntry {
  dn: string;
  attributes: ReadonlyMap<string, Array<string | Buffer>>;
}

/** Attribute names repeat on every entry: each is lower-cased once (for the first 10,000 names). */
const lowered = new Map<string, string>();
export function lowerName(name: string): string {
  let l = lowered.get(name);
  if (l === undefined) { l = name.toLowerCase(); if (lowered.size < 10_000) lowered.set(name, l); }
  return l;
}

/** An attribute's values as text, bytes read as UTF-8. */
export function textValues(values: Array<string | Buffer> | undefined): string[] {
  const out: string[] = [];
  if (values) for (const v of values) out.push(typeof v === 'string' ? v : v.toString('utf8'));
  return out;
}
