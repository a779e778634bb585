/**
 * grommunio's `ldapID`: the stable ID's bytes written as an LDAP-filter-escaped string, so an
 * entryUUID reads as itself and a binary objectGUID as `\hh` escapes.
 */
export function encodeLdapId(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const printable = b >= 0x20 && b <= 0x7e && b !== 0x2a && b !== 0x28 && b !== 0x29 && b !== 0x5c;
    out += printable ? String.fromCharCode(b) : `\\${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** The inverse; null when the text is not a well-formed escaped ID. */
export function decodeLdapId(text: string): Uint8Array | null {
  if (!text || text.length > 256) return null;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return bytes.length > 64 ? null : new Uint8Array(bytes);
}
