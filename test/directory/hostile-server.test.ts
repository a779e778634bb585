/**
 * A directory server that answers with a broken entry (an attribute whose length runs past its
 * container), as a hostile or broken server of a tenant's could: the run fails as the directory
 * being unavailable, says which server, writes no user, and frees the domain. The server is a
 * real socket on loopback speaking just enough LDAP: bind and search answered, nothing else.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { storeVariants, type TestStore } from '../support/stores.ts';
import { MessageReader } from '../../src/directory/ldap-responses.ts';
import { runSync } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';

const message = (id: number, op: number[]): Buffer => Buffer.from([0x30, 3 + op.length, 0x02, 0x01, id, ...op]);
const success = (tag: number): number[] => [tag, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00];
// dn "a=b", then an attribute list whose one attribute's type claims 5 bytes where its container has none.
const brokenEntry = [0x64, 0x0b, 0x04, 0x03, 0x61, 0x3d, 0x62, 0x30, 0x04, 0x30, 0x02, 0x04, 0x05];

function hostileServer(): Promise<{ server: Server; url: string; searches: () => number }> {
  let searches = 0;
  const server = createServer((socket: Socket) => {
    const reader = new MessageReader();
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      for (const m of reader.push(chunk)) {
        if (m.op !== 'other') continue;
        if (m.tag === 0x60) socket.write(message(m.id, success(0x61)));
        else if (m.tag === 0x63) { searches++; socket.write(Buffer.concat([message(m.id, brokenEntry), message(m.id, success(0x65))])); }
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    resolve({ server, url: `ldap://127.0.0.1:${port}`, searches: () => searches });
  }));
}

for (const variant of storeVariants()) {
  describe(`a directory server that sends a broken entry, on ${variant.name}`, { skip: variant.skip }, () => {
    let hostile: Awaited<ReturnType<typeof hostileServer>>;
    let t: TestStore;
    let domainId: number;
    before(async () => {
      hostile = await hostileServer();
      t = await variant.open();
      domainId = (await t.store.domains.create({ name: 'example.org' })).id;
      await t.store.sources.set(0, {
        connection: { server: hostile.url, bindUser: 'cn=sync,dc=example,dc=org', bindPass: 'secret', starttls: false },
        baseDn: 'dc=example,dc=org', objectID: 'entryUUID', vendor: 'openldap', delta: 'off', groups: {},
        users: { username: 'mail', displayName: 'cn', filter: '(objectClass=inetOrgPerson)' },
      });
    });
    after(async () => { hostile?.server.close(); await t?.cleanup(); });

    test('the run fails as the directory unavailable, naming the server; nobody is written; the domain is free', async () => {
      const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, full: true });
      assert.equal(report.status, 'failed');
      assert.equal(report.error?.code, 503);
      assert.match(report.error!.message, new RegExp(`Directory unavailable: ${hostile.url}.*runs past its container`));
      assert.ok(hostile.searches() >= 1, 'the users were searched for');
      assert.equal((await t.store.users.list({ domainId, limit: 10, offset: 0 })).total, 0);
      assert.equal(await t.store.syncLocks.holder(domainId), undefined);
      assert.equal((await t.store.runs.get(report.runId!))!.status, 'failed');
    });
  });
}
