/** Cutting and JSON-encoding text never leaves half a character (src/domain/text.ts). Pure logic. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutText, wellFormedJson } from '../../src/domain/text.ts';

test('a cut never splits a surrogate pair', () => {
  assert.equal(cutText('abc', 5), 'abc');
  assert.equal(cutText('abcdef', 3), 'abc');
  assert.equal(cutText('ab\u{1F600}cd', 3), 'ab', 'the cut would leave the high half');
  assert.equal(cutText('ab\u{1F600}cd', 4), 'ab\u{1F600}', 'the cut falls after the pair');
  assert.equal(cutText('\u{1F600}', 1), '');
  assert.equal(cutText('abc', 0), '');
  for (let max = 0; max < 12; max++) assert.ok(cutText('a\u{1F600}\u{20000}b\u{1F600}', max).isWellFormed(), `max ${max}`);
});

test('JSON for the server: lone surrogates become U+FFFD, everything else as JSON.stringify writes it', () => {
  const plain = { a: 'Ünïcødé "q" \\ud83d as text', b: ['\u{1F600}'], c: null, d: 1 };
  assert.equal(wellFormedJson(plain), JSON.stringify(plain), 'an escaped backslash before "ud8" is kept as it is');
  const lone = { a: 'cut \ud83d', b: ['\udc00x'], c: { d: 'ok \u{1F600}' } };
  assert.deepEqual(JSON.parse(wellFormedJson(lone)), { a: 'cut \ufffd', b: ['\ufffdx'], c: { d: 'ok \u{1F600}' } });
  assert.doesNotMatch(wellFormedJson(lone), /\\ud[89a-f]/i);
});
