/**
 * Text the service cuts to a length or sends as JSON stays well-formed Unicode. JavaScript
 * counts UTF-16 units, so a cut at a fixed length can fall between the two halves of a character
 * beyond the Basic Multilingual Plane (an emoji, a rare CJK name), and leave a lone surrogate.
 * UTF-8 has no such thing: the drivers send one as U+FFFD, but `JSON.stringify` writes it as a
 * `\udxxx` escape, which PostgreSQL's JSON parser refuses, failing the whole statement.
 */

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** At most `max` UTF-16 units of `text`, one fewer where the cut would split a character. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * `JSON.stringify` writes a lone surrogate as `\ud800`-`\udfff`; a well-formed pair it writes as
 * the character itself. The test may also match an escaped backslash before "ud8": that only
 * costs the second, exact pass.
 */
const SURROGATE_ESCAPE = /\\ud[89a-f]/i;

/**
 * JSON of `value` that PostgreSQL parses: a lone surrogate in any string becomes U+FFFD, as it
 * does in every string the store sends as UTF-8 text. Nearly every document has none, and costs
 * one scan of its text more than `JSON.stringify`.
 */
export function wellFormedJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!SURROGATE_ESCAPE.test(json)) return json;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? v.toWellFormed() : v));
}
