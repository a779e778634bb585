/** Writes LDIF, base64-encoding every value LDIF says must be (non-ASCII, binary, leading space...). */

export type LdifValue = string | Buffer;
export interface LdifEntry { dn: string; [attribute: string]: LdifValue | LdifValue[] }

/** RFC 2849 SAFE-STRING: ASCII without NUL, CR, LF; not starting with space, ':' or '<'; no trailing space. */
function safe(value: string): boolean {
  if (value.startsWith(' ') || value.startsWith(':') || value.startsWith('<') || value.endsWith(' ')) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c === 10 || c === 13 || c > 127) return false;
  }
  return true;
}

function line(attribute: string, value: LdifValue): string {
  if (typeof value === 'string' && (value === '' || safe(value))) return `${attribute}: ${value}`;
  return `${attribute}:: ${Buffer.from(value).toString('base64')}`;
}

export function toLdif(entries: LdifEntry[]): string {
  return entries.map((entry) => {
    const lines = [line('dn', entry.dn)];
    for (const [attribute, value] of Object.entries(entry)) {
      if (attribute === 'dn') continue;
      for (const v of Array.isArray(value) ? value : [value]) lines.push(line(attribute, v));
    }
    return `${lines.join('\n')}\n`;
  }).join('\n') + '\n';
}

/** An LDIF change record: replace the given attributes of an entry. */
export function replaceLdif(dn: string, changes: Record<string, LdifValue | LdifValue[]>): string {
  const lines = [line('dn', dn), 'changetype: modify'];
  for (const [attribute, value] of Object.entries(changes)) {
    lines.push(`replace: ${attribute}`);
    for (const v of Array.isArray(value) ? value : [value]) lines.push(line(attribute, v));
    lines.push('-');
  }
  return `${lines.join('\n')}\n\n`;
}
