/**
 * The OpenAPI document a real server serves: security schemes, every answer with its shape,
 * operation IDs and summaries, the 2FA headers, /login's form body and /avatar/{username}; and
 * Redocly's recommended rules find nothing in it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { startApi, type TestApi } from '../support/api.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('the OpenAPI document', () => {
  let t: TestStore;
  let api: TestApi;
  let doc: Json;
  const operations = () => Object.entries(doc.paths as Json).flatMap(([path, item]) => Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json })));

  before(async () => {
    t = await storeVariants()[0]!.open();
    api = await startApi(t);
    doc = (await api.call('GET', '/openapi.json')).body;
  });
  after(async () => { await api?.close(); await t?.cleanup(); });

  test('security schemes for both dialects; every operation says how to sign in', () => {
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['bearerJwt', 'csrfToken', 'grommunioCookie', 'rocketchatToken', 'rocketchatTokenQuery', 'rocketchatUser', 'rocketchatUserQuery']);
    for (const { path, method, op } of operations()) assert.ok(Array.isArray(op.security), `${method} ${path} has security`);
    assert.deepEqual(doc.paths['/api/v1/login'].post.security, []);
    assert.deepEqual(doc.paths['/api/v1/system/domains'].post.security[0], { grommunioCookie: [], csrfToken: [] });
    assert.deepEqual(doc.paths['/api/v1/ldap.syncNow'].post.security, [{ rocketchatToken: [], rocketchatUser: [] }]);
  });

  test('unique operation IDs and a summary for every operation', () => {
    const ids = operations().map(({ op }) => op.operationId as string);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => /^[a-z][A-Za-z0-9]+$/.test(id)));
    assert.equal(doc.paths['/api/v1/domains/{domainID}/ldap/downsync'].post.operationId, 'postDomainsByDomainIDLdapDownsync');
    for (const { path, method, op } of operations()) assert.ok(op.summary && !op.summary.startsWith(method.toUpperCase()), `${method} ${path} has a summary`);
  });

  test('the answers besides 200, with their shapes', () => {
    const downsync = doc.paths['/api/v1/domains/{domainID}/ldap/downsync'].post.responses;
    assert.deepEqual(Object.keys(downsync), ['200', '202', '400', '401', '403', '404', '409', '503']);
    assert.equal(downsync['202'].content['application/json'].schema.$ref, '#/components/schemas/TaskQueued');
    assert.equal(downsync['503'].content['application/json'].schema.$ref, '#/components/schemas/GrommunioError');
    assert.deepEqual(doc.components.schemas.TaskQueued.required, ['message', 'taskID']);
    assert.equal(doc.paths['/api/v1/ldap.syncNow'].post.responses['400'].content['application/json'].schema.$ref, '#/components/schemas/RocketChatError');
    assert.ok(doc.paths['/api/v1/login'].post.responses['429']);
    assert.ok(!operations().some(({ op }) => Object.values(op.responses as Json).some((r) => (r as Json).description === 'Default Response')));
  });

  test('the 2FA headers, /login form body and /avatar/{username}', () => {
    const headers = (doc.paths['/api/v1/ldap.syncNow'].post.parameters as Json[]).filter((p) => p.in === 'header').map((p) => p.name);
    assert.deepEqual(headers, ['x-2fa-code', 'x-2fa-method']);
    const form = doc.paths['/api/v1/login'].post.requestBody.content['application/x-www-form-urlencoded'].schema;
    assert.deepEqual(form.required, ['user', 'pass']);
    assert.ok(doc.paths['/api/v1/login'].post.requestBody.content['application/json']);
    const avatar = doc.paths['/avatar/{username}'].get;
    assert.deepEqual(Object.keys(avatar.responses), ['200', '304', '401', '404']);
    assert.ok(avatar.responses['200'].content['image/svg+xml']);
  });

  test("Redocly's recommended rules find nothing", () => {
    const r = spawnSync(process.execPath, [new URL('../../tools/lint-openapi.ts', import.meta.url).pathname], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /Your API description is valid/);
  });
});
