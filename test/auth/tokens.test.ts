import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { checkToken, issueToken } from '../../src/auth/tokens.ts';
import type { Keys } from '../../src/auth/keys.ts';

const newKeys = (): Keys => ({ jwt: randomBytes(32), csrf: randomBytes(32) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a token checked again is answered as the first time, and a tampered copy of it is still refused', async () => {
  const keys = newKeys();
  const { jwt } = await issueToken(keys, 7, 'admin', 'session-1');
  const first = await checkToken(keys, jwt);
  assert.deepEqual(await checkToken(keys, jwt), first);
  assert.deepEqual(first, { ok: true, accountId: 7, sessionId: 'session-1' });
  const [header, payload, signature] = jwt.split('.');
  const flipped = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BA' : 'AA'}`;
  assert.deepEqual(await checkToken(keys, flipped), { ok: false, error: 'Invalid token signature' });
  // The payload of another account under the first token's signature.
  const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: '1' })).toString('base64url');
  assert.deepEqual(await checkToken(keys, `${header}.${other}.${signature}`), { ok: false, error: 'Invalid token signature' });
});

test('a token that verified under one key set is not taken under another', async () => {
  const keys = newKeys();
  const { jwt } = await issueToken(keys, 7, 'admin', 'session-1');
  assert.equal((await checkToken(keys, jwt)).ok, true);
  assert.deepEqual(await checkToken(newKeys(), jwt), { ok: false, error: 'Invalid token signature' });
});

test('a token that verified is refused once it expires, though it was checked before', async () => {
  const keys = newKeys();
  const exp = Math.floor(Date.now() / 1000) + 1;
  const jwt = await new SignJWT({ usr: 'admin', sid: 'session-2' }).setProtectedHeader({ alg: 'HS256' }).setSubject('7').setExpirationTime(exp).sign(keys.jwt);
  assert.equal((await checkToken(keys, jwt)).ok, true);
  await sleep(exp * 1000 - Date.now() + 50);
  assert.deepEqual(await checkToken(keys, jwt), { ok: false, error: 'Token has expired' });
  assert.deepEqual(await checkToken(keys, jwt), { ok: false, error: 'Token has expired' });
});
