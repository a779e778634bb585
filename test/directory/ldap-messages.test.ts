/**
 * The LDAP message reader and the RFC 4533 codec, byte for byte: messages split anywhere across
 * chunks, controls on entries, IntermediateResponses, Sync Done, syncIdSet, present phase, 4096.
 * The messages are built here with ldapts' BerWriter, as a server would send them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerWriter } from 'ldapts';
import { searchRequest } from '../../src/directory/ldap-requests.ts';
import { MessageReader, BerCursor, type LdapMessage } from '../../src/directory/ldap-responses.ts';
import { RefreshCollector, parseSyncInfo, syncRequestControl } from '../../src/directory/content-sync.ts';

const UUID_A = Buffer.from('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'hex');
const UUID_B = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function message(id: number, op: (w: BerWriter) => void, controls: Array<{ oid: string; value?: Buffer }> = []): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeInt(id);
  op(w);
  if (controls.length) {
    w.startSequence(0xa0);
    for (const c of controls) { w.startSequence(); w.writeString(c.oid); if (c.value) w.writeBuffer(c.value, 0x04); w.endSequence(); }
    w.endSequence();
  }
  w.endSequence();
  return w.buffer;
}

const ber = (fill: (w: BerWriter) => void): Buffer => { const w = new BerWriter(); fill(w); return w.buffer; };

const syncState = (state: number, uuid: Buffer) => ({ oid: '1.3.6.1.4.1.4203.1.9.1.2', value: ber((w) => { w.startSequence(); w.writeEnumeration(state); w.writeBuffer(uuid, 0x04); w.endSequence(); }) });

const entry = (id: number, dn: string, attrs: Record<string, Array<string | Buffer>>, controls: Array<{ oid: string; value?: Buffer }> = []) => message(id, (w) => {
  w.startSequence(0x64);
  w.writeString(dn);
  w.startSequence();
  for (const [name, values] of Object.entries(attrs)) {
    w.startSequence(); w.writeString(name); w.startSequence(0x31);
    for (const v of values) { if (typeof v === 'string') w.writeString(v); else w.writeBuffer(v, 0x04); }
    w.endSequence(); w.endSequence();
  }
  w.endSequence();
  w.endSequence();
}, controls);

const done = (id: number, code: number, controls: Array<{ oid: string; value?: Buffer }> = []) => message(id, (w) => {
  w.startSequence(0x65); w.writeEnumeration(code); w.writeString(''); w.writeString(code ? 'refresh required' : ''); w.endSequence();
}, controls);

const syncDone = (cookie: string, refreshDeletes: boolean) => ({ oid: '1.3.6.1.4.1.4203.1.9.1.3', value: ber((w) => { w.startSequence(); w.writeString(cookie); if (refreshDeletes) w.writeBoolean(true); w.endSequence(); }) });

const intermediate = (id: number, value: Buffer) => message(id, (w) => {
  w.startSequence(0x79); w.writeBuffer(Buffer.from('1.3.6.1.4.1.4203.1.9.1.4'), 0x80); w.writeBuffer(value, 0x81); w.endSequence();
});

const idSet = (refreshDeletes: boolean, uuids: Buffer[]) => ber((w) => {
  w.startSequence(0xa3); w.writeString('rid=000,csn=2'); if (refreshDeletes) w.writeBoolean(true);
  w.startSequence(0x31); for (const u of uuids) w.writeBuffer(u, 0x04); w.endSequence();
  w.endSequence();
});

/** Feeds the bytes in chunks of `size` and collects every message. */
function readAll(bytes: Buffer, size: number, binary: string[] = []): LdapMessage[] {
  const reader = new MessageReader(binary);
  const out: LdapMessage[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...reader.push(bytes.subarray(i, i + size)));
  assert.equal(reader.buffered, 0);
  return out;
}

test('messages split at any byte come out whole, with attributes, binary values and entry controls', () => {
  const photo = Buffer.from([0xff, 0xd8, 0x00, 0x80, 0xfe]);
  const long = 'x'.repeat(70_000);
  const stream = Buffer.concat([
    entry(7, 'uid=a,dc=example,dc=org', { entryUUID: ['0f1e2d3c-...'], jpegPhoto: [photo], description: [long], Mail: ['a@example.org', 'b@example.org'] }, [syncState(1, UUID_A)]),
    done(7, 0, [syncDone('rid=000,csn=1', false)]),
  ]);
  for (const size of [1, 3, 64, 1000, stream.length]) {
    const [e, d] = readAll(stream, size, ['jpegPhoto']);
    assert.equal(e?.op, 'entry');
    if (e?.op !== 'entry') return;
    assert.equal(e.id, 7);
    assert.equal(e.entry.dn, 'uid=a,dc=example,dc=org');
    assert.deepEqual(e.entry.attributes.get('mail'), ['a@example.org', 'b@example.org']);
    assert.deepEqual(e.entry.attributes.get('jpegphoto'), [photo]);
    assert.equal((e.entry.attributes.get('description')![0] as string).length, 70_000);
    assert.equal(e.controls[0]!.oid, '1.3.6.1.4.1.4203.1.9.1.2');
    assert.equal(d?.op, 'done');
  }
});

test('values are text when they are UTF-8 (a real U+FFFD included), else their bytes; names are lower-cased at every position', () => {
  const invalid = Buffer.from([0x41, 0xc3, 0x28, 0x42]);
  const replacement = 'A\uFFFDB';
  const stream = Buffer.concat([
    entry(3, 'uid=a,dc=x', { CN: ['Ünïcödé'], description: [invalid, replacement], uid: ['a'] }),
    entry(3, 'uid=b,dc=x', { cn: ['B'], Description: [replacement], UID: ['b', 'bee'] }),
  ]);
  const [a, b] = readAll(stream, 5);
  assert.ok(a?.op === 'entry' && b?.op === 'entry');
  assert.deepEqual(a.entry.attributes.get('cn'), ['Ünïcödé']);
  assert.deepEqual(a.entry.attributes.get('description'), [invalid, replacement]);
  assert.ok(Buffer.isBuffer(a.entry.attributes.get('description')![0]));
  assert.deepEqual([...b.entry.attributes.keys()], ['cn', 'description', 'uid']);
  assert.deepEqual(b.entry.attributes.get('uid'), ['b', 'bee']);
  assert.deepEqual(b.entry.attributes.get('description'), [replacement]);
});

test('attributes read alike whatever the order of layouts: a name twice (the last wins), one without values, names never seen', () => {
  const photo = Buffer.from([0xff, 0xd8]);
  const asMap = (attrs: ReadonlyMap<string, Array<string | Buffer>>) => new Map([...attrs]);
  const stream = Buffer.concat([
    entry(4, 'uid=a,dc=x', { uid: ['a'], mail: ['a@x'], jpegPhoto: [photo] }),
    entry(4, 'uid=b,dc=x', { uid: ['b'], mail: ['b@x'] }),
    entry(4, 'uid=c,dc=x', { uid: ['c'], mail: ['c@x'], jpegPhoto: [photo] }),
    entry(4, 'uid=d,dc=x', { uid: ['d'], Mail: ['first@x'], mail: ['last@x'], cn: [] }),
    entry(4, 'uid=e,dc=x', { uid: ['e'], cn: [], mail: ['e@x'] }),
  ]);
  const [a, b, c, d, e] = readAll(stream, 7, ['jpegPhoto']).map((m) => (m.op === 'entry' ? m.entry.attributes : null));
  assert.deepEqual(asMap(a!), new Map<string, Array<string | Buffer>>([['uid', ['a']], ['mail', ['a@x']], ['jpegphoto', [photo]]]));
  assert.deepEqual(asMap(b!), new Map([['uid', ['b']], ['mail', ['b@x']]]));
  assert.equal(b!.get('jpegphoto'), undefined);
  assert.equal(b!.has('jpegphoto'), false);
  assert.deepEqual(c!.get('jpegphoto'), [photo]);
  assert.deepEqual(asMap(d!), new Map([['uid', ['d']], ['mail', ['last@x']]]));
  assert.equal(d!.size, 2);
  assert.deepEqual([...e!.keys()], ['uid', 'mail']);
  assert.equal(e!.size, 2);
  assert.equal(e!.has('cn'), false);
  const seen: string[] = [];
  e!.forEach((values, name) => seen.push(`${name}=${String(values[0])}`));
  assert.deepEqual(seen, ['uid=e', 'mail=e@x']);
  assert.deepEqual([...e!.values()], [['e'], ['e@x']]);
  // A server naming its attributes anew in every entry: past the names kept, entries still decode.
  const many = Buffer.concat(Array.from({ length: 5000 }, (_, i) => entry(5, `uid=u${i},dc=x`, { uid: [`u${i}`], [`x-attr-${i}`]: [`v${i}`] })));
  const decoded = readAll(many, 4096).map((m) => (m.op === 'entry' ? asMap(m.entry.attributes) : null));
  decoded.forEach((attrs, i) => assert.deepEqual(attrs, new Map([['uid', [`u${i}`]], [`x-attr-${i}`, [`v${i}`]]])));
  // Ever longer lists of the same names, and a name too long to keep: each entry reads as sent.
  const prefixes = Buffer.concat(Array.from({ length: 300 }, (_, i) => entry(6, `uid=p${i},dc=x`, Object.fromEntries(Array.from({ length: i + 1 }, (__, k) => [`a${k}`, [`${i}.${k}`]])))));
  readAll(prefixes, 65536).forEach((m, i) => {
    assert.ok(m.op === 'entry');
    assert.equal(m.entry.attributes.size, i + 1);
    assert.deepEqual(m.entry.attributes.get(`a${i}`), [`${i}.${i}`]);
    assert.deepEqual(m.entry.attributes.get('a0'), [`${i}.0`]);
  });
  const longName = 'l'.repeat(200);
  const [long] = readAll(entry(7, 'uid=l,dc=x', { uid: ['l'], [longName]: ['v'] }), 50);
  assert.ok(long?.op === 'entry');
  assert.deepEqual(asMap(long.entry.attributes), new Map([['uid', ['l']], [longName, ['v']]]));
});

test('a refresh with deletions named explicitly: states, syncIdSet and the final cookie', () => {
  const c = new RefreshCollector();
  const stream = Buffer.concat([
    entry(2, 'uid=a,dc=x', { entryUUID: ['a'] }, [syncState(2, UUID_A)]),
    entry(2, 'uid=b,dc=x', {}, [syncState(3, UUID_B)]),
    intermediate(2, idSet(true, [Buffer.alloc(16, 1), Buffer.alloc(16, 2)])),
    message(2, (w) => { w.startSequence(0x73); w.writeString('ldap://other.example/ou=far,dc=x'); w.endSequence(); }),
    done(2, 0, [syncDone('rid=000,csn=3', true)]),
  ]);
  for (const m of readAll(stream, 5)) c.add(m);
  assert.deepEqual([...c.result.changed.keys()], [UUID_A.toString('hex')]);
  assert.deepEqual([...c.result.deleted].sort(), [UUID_B.toString('hex'), '01'.repeat(16), '02'.repeat(16)].sort());
  assert.equal(c.result.deletesExplicit, true);
  assert.equal(c.result.cookie?.toString(), 'rid=000,csn=3');
  assert.deepEqual(c.result.references, ['ldap://other.example/ou=far,dc=x']);
  assert.equal(c.result.code, 0);
});

test('a present phase: entries and ID sets named present, the rest is gone', () => {
  const c = new RefreshCollector();
  const stream = Buffer.concat([
    entry(3, 'uid=a,dc=x', {}, [syncState(0, UUID_A)]),
    intermediate(3, idSet(false, [UUID_B])),
    done(3, 0, [syncDone('rid=000,csn=4', false)]),
  ]);
  for (const m of readAll(stream, 7)) c.add(m);
  assert.deepEqual([...c.result.present].sort(), [UUID_A.toString('hex'), UUID_B.toString('hex')].sort());
  assert.equal(c.result.deletesExplicit, false);
  assert.equal(c.result.changed.size, 0);
});

test('e-syncRefreshRequired arrives as result code 4096', () => {
  const c = new RefreshCollector();
  for (const m of readAll(done(4, 4096), 2)) c.add(m);
  assert.equal(c.result.code, 4096);
});

test('syncInfo choices: newcookie and refreshDelete', () => {
  assert.deepEqual(parseSyncInfo(ber((w) => w.writeBuffer(Buffer.from('c1'), 0x80))), { kind: 'newcookie', cookie: Buffer.from('c1') });
  const info = parseSyncInfo(ber((w) => { w.startSequence(0xa1); w.writeString('c2'); w.writeBoolean(false); w.endSequence(); }));
  assert.deepEqual(info, { kind: 'refreshDelete', cookie: Buffer.from('c2'), refreshDone: false });
});

test('the search request carries the sync request control as RFC 4533 defines it', () => {
  const bytes = searchRequest(9, { base: 'dc=x', scope: 'sub', filter: '(objectClass=*)', attributes: ['1.1'], controls: [syncRequestControl(Buffer.from('rid=000,csn=5'))] });
  const msg = new BerCursor(bytes).enter(0x30);
  assert.equal(msg.int(), 9);
  msg.next();
  const controls = msg.enter(0xa0).enter(0x30);
  assert.equal(controls.string(), '1.3.6.1.4.1.4203.1.9.1.1');
  assert.equal(controls.bool(), true);
  const value = new BerCursor(controls.bytes()).enter(0x30);
  assert.equal(value.int(), 1, 'refreshOnly');
  assert.equal(value.string(), 'rid=000,csn=5');
});

test('a message announcing more than any entry needs is refused, not buffered', () => {
  const reader = new MessageReader();
  assert.throws(() => reader.push(Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02])), /more than any entry needs/);
});
