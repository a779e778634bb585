/**
 * Limits every request meets before any route sees it: JSON bodies no deeper than a config can be,
 * no NUL characters in text (PostgreSQL cannot store them, and no name or filter has one), and
 * numbers in the query or path that are finite. Refusals are domain errors; each dialect says them.
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

const INFINITE_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$|^[+-]?infinity$/i;

/** Refuses NUL anywhere and numbers that overflow to Infinity (Ajv would coerce '1e400' and pass it). */
export function checkRequestParts(parts: Array<[string, unknown]>): void {
  for (const [where, values] of parts) {
    const nul = nulPath(values, where);
    if (nul) throw invalidInput([`${nul} must not contain a NUL character`]);
    if (where === 'body' || typeof values !== 'object' || values === null) continue;
    for (const [key, value] of Object.entries(values)) {
      const list = Array.isArray(value) ? value : [value];
      if (list.some((v) => typeof v === 'string' && INFINITE_NUMBER.test(v.trim()) && !Number.isFinite(Number(v)))) {
        throw invalidInput([`${where}.${key} is not a finite number`]);
      }
    }
  }
}
