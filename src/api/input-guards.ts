/**
 * Limits every request meets before any route sees it: JSON bodies no deeper than a config can be,
 * no NUL characters in text (PostgreSQL cannot store them, and no name or filter has one), and
 * numbers that are finite. Refusals are domain errors; each dialect says them.
 */
import { invalidInput } from '../domain/errors.ts';

/** Deeper than any directory source or request this service takes. */
export const MAX_JSON_DEPTH = 32;

/** Nesting depth of a JSON text, counted without parsing it (so a hostile depth costs nothing). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) { if (++depth > max) max = depth; }
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/** The path of the first key or string value holding a NUL character, or null. */
export function nulPath(value: unknown, where: string): string | null {
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') { if (v.includes('\u0000')) return path; continue; }
    if (typeof v !== 'object' || v === null) continue;
    for (const [key, child] of Object.entries(v)) {
      if (key.includes('\u0000')) return `${path} (a key)`;
      stack.push([child, `${path}.${key}`]);
    }
  }
  return null;
}

/** The path of the first number that is not finite, or null. */
function nonFinitePath(value: unknown, where: string): string | null {
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'number') { if (!Number.isFinite(v)) return path; continue; }
    if (typeof v !== 'object' || v === null) continue;
    for (const [key, child] of Object.entries(v)) stack.push([child, `${path}.${key}`]);
  }
  return null;
}

/** Before validation: no NUL anywhere (PostgreSQL cannot store it; no name or filter has one). */
export function refuseNul(parts: Array<[string, unknown]>): void {
  for (const [where, values] of parts) {
    const nul = nulPath(values, where);
    if (nul) throw invalidInput([`${nul} must not contain a NUL character`]);
  }
}

/**
 * After validation: no number that is not finite. Ajv's type coercion turns '1e400' and
 * 'Infinity' into Infinity, which then passes `integer` and `maximum` (seen with Ajv 8.20).
 */
export function refuseNonFinite(parts: Array<[string, unknown]>): void {
  for (const [where, values] of parts) {
    const path = nonFinitePath(values, where);
    if (path) throw invalidInput([`${path} is not a finite number`]);
  }
}
