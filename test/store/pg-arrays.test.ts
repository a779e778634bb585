/** The binary arrays PostgreSQL is sent (src/store/pg-arrays.ts), read back by a real server. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { databaseUrl } from '../support/stores.ts';
import { byteaArray, int4Array, int8Array, sqlArray, textArray } from '../../src/store/pg-arrays.ts';

describe('binary arrays, as PostgreSQL reads them', { skip: databaseUrl ? false : 'DATABASE_URL is not set (CI sets it; e.g. postgres://postgres@127.0.0.1:5432/test)' }, () => {
  let client: pg.Client;
  before(async () => { client = new pg.Client({ connectionString: databaseUrl! }); await client.connect(); });
  after(async () => { await client?.end(); });

  const readBack = async (list: Buffer, type: string): Promise<unknown[]> =>
    (await client.query({ text: `SELECT v FROM unnest($1::${type}[]) WITH ORDINALITY AS t(v, i) ORDER BY i`, values: [list] })).rows.map((r: { v: unknown }) => r.v);

  test('text: every element as it was, NULLs, empty strings and characters beyond one byte included', async () => {
    const values = ['plain', '', null, 'Zoë Ångström', '漢字', 'emoji 🙂', 'quote " and \\ and {,}', 'x'.repeat(70_000)];
    assert.deepEqual(await readBack(textArray(values), 'text'), values);
    assert.deepEqual(await readBack(textArray([]), 'text'), []);
    // A value a caller left undefined is NULL, as the JSON document that came before left it out.
    assert.deepEqual(await readBack(textArray(['a', undefined as unknown as null, 'b']), 'text'), ['a', null, 'b']);
  });

  test('bytea: the bytes as they were', async () => {
    const values = [Uint8Array.from([0, 1, 254, 255]), null, new Uint8Array(0), Uint8Array.from({ length: 64 }, (_, i) => i * 3)];
    const back = await readBack(byteaArray(values), 'bytea');
    assert.deepEqual(back.map((b) => (b === null ? null : [...(b as Buffer)])), values.map((v) => (v === null ? null : [...v])));
  });

  test('int4 and int8: the extremes JavaScript numbers hold, either sign', async () => {
    const int4 = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)];
    assert.deepEqual((await readBack(int4Array(int4), 'int4')).map(Number), int4);
    for (const bad of [1.5, Number.NaN, undefined, 2 ** 31]) assert.throws(() => int4Array([bad as number]), RangeError);
    const int8 = [0, -1, 2 ** 32, 2 ** 32 - 1, -(2 ** 32) - 5, 2 ** 48 - 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, null];
    assert.deepEqual((await readBack(int8Array(int8), 'int8')).map((v) => (v === null ? null : Number(v))), int8);
    assert.throws(() => int8Array([2 ** 53]), RangeError);
    assert.deepEqual((await readBack(sqlArray('bigint', [7, 2 ** 40]), 'bigint')).map(Number), [7, 2 ** 40]);
  });
});
