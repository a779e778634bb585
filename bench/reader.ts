/**
 * `node bench/reader.ts [--size 100000]`: the same search read by ldapts (paged) and by our own
 * message reader (one search, and an RFC 4533 refresh with a control on every entry), on a slapd
 * with syncprov. Says what reading the protocol ourselves costs or saves. Prints JSON and writes
 * it to bench/results/.
 */
import { parseArgs } from 'node:util';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'ldapts';
import { startSlapd, BASE_DN, SYNC_DN, SYNC_PW } from '../test/support/slapd.ts';
import { sourceConfig } from '../test/support/source.ts';
import { parseSource } from '../src/directory/source.ts';
import { LdapSession } from '../src/directory/ldap-session.ts';
import { RefreshCollector, syncRequestControl } from '../src/directory/content-sync.ts';

const { values } = parseArgs({ options: { size: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '3' } } });
const size = Number(values.size);
const rounds = Number(values.rounds);
const ATTRS = ['entryUUID', 'mail', 'cn', 'mailAlternativeAddress', 'givenName', 'sn', 'title', 'telephoneNumber', 'employeeNumber'];
const FILTER = '(objectClass=inetOrgPerson)';

const file = join(mkdtempSync(join(tmpdir(), 'ldapsync-reader-')), 'users.ldif');
writeFileSync(file, '');
for (let start = 1; start <= size; start += 10_000) {
  const out: string[] = [];
  for (let i = start; i < Math.min(size + 1, start + 10_000); i++) {
    const u = `user${String(i).padStart(7, '0')}`;
    out.push(`dn: uid=${u},ou=people,${BASE_DN}\nobjectClass: inetOrgPerson\nuid: ${u}\ncn: Bench User ${i}\nsn: User${i}\ngivenName: Bench\nmail: ${u}@example.org\ntitle: Engineer ${i % 50}\ntelephoneNumber: +1 555 ${String(i).padStart(7, '0')}\nemployeeNumber: ${i}\n`);
  }
  appendFileSync(file, out.join('\n') + '\n');
}
const slapd = await startSlapd({ bulkFile: file, tracking: 'syncprov' });
rmSync(dirname(file), { recursive: true, force: true });
const source = parseSource(sourceConfig(slapd, { pageSize: 1000 }));

async function ldapts(): Promise<number> {
  const client = new Client({ url: slapd.url });
  await client.bind(SYNC_DN, SYNC_PW);
  let n = 0;
  for await (const page of client.searchPaginated(BASE_DN, { scope: 'sub', filter: FILTER, attributes: ATTRS, explicitBufferAttributes: ['entryUUID'], paged: { pageSize: 1000 } })) n += page.searchEntries.length;
  await client.unbind();
  return n;
}

async function ours(refresh: boolean): Promise<number> {
  const session = await LdapSession.open({ source, server: slapd.url, tlsOptions: async () => ({}), binaryAttributes: ['entryUUID'] });
  let n = 0;
  const collector = new RefreshCollector();
  for await (const batch of session.search({ base: BASE_DN, scope: 'sub', filter: FILTER, attributes: ATTRS, controls: refresh ? [syncRequestControl(null)] : [] })) {
    for (const m of batch) { if (m.op === 'entry') n++; if (refresh) collector.add(m); }
  }
  await session.close();
  return n;
}

const measure = async (name: string, fn: () => Promise<number>) => {
  const seconds: number[] = [];
  let entries = 0;
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    entries = await fn();
    seconds.push((performance.now() - t) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return { reader: name, entries, medianSeconds: Number(seconds[Math.floor(rounds / 2)]!.toFixed(3)), seconds: seconds.map((s) => Number(s.toFixed(3))) };
};

try {
  const rows = [
    await measure('ldapts searchPaginated (pages of 1000)', ldapts),
    await measure('own reader, one search', () => ours(false)),
    await measure('own reader, RFC 4533 refresh (sync state control on every entry)', () => ours(true)),
  ];
  const result = { date: new Date().toISOString(), size, rounds, node: process.version, rows };
  console.log(JSON.stringify(result, null, 2));
  const out = join(new URL('./results/', import.meta.url).pathname, `reader-${result.date.slice(0, 10)}-${size}.json`);
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`written ${out}`);
} finally {
  await slapd.destroy();
}
