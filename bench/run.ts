/**
 * `npm run bench [-- --sizes 10000,100000 --stores sqlite,postgres]`: builds a real slapd
 * directory per size with slapadd, measures the ldapsearch floor, then ldapsync's initial import
 * and no-op resync, each in its own process for an honest peak RSS. Prints a table; writes JSON.
 * The last step is the delta run once more in a process that ran one before it (the embedded
 * mode's sync thread and a cluster worker live across runs; every other step is a new process).
 * `--delta --tracking syncprov`: only the import, then 100 changes read by a delta run and 100
 * more by a full run, with the entries each read, on slapd as most deploy it (syncprov only).
 * The directory is one that grew over time: its entries come back in no order of name and their
 * entryUUIDs in no order at all, as Active Directory's GUIDs and any long-lived OpenLDAP's are.
 * `--load-order`: names and IDs both ascending, as slapadd makes them when it loads all at once.
 * Each step also records the CPU its client, slapd and a local PostgreSQL spent (`cpu`, from
 * /proc), and their sum over the machine's cores against the floor (`floorOfCoresRatio`): a
 * ratio no order of work on this machine can beat, however its parts overlap.
 * `--repeat N` (3 unless given): the floor and every step are measured N times over, each
 * repetition's ratios to its own floor; a figure is the median, each repetition kept beside it
 * (repeat.ts). The API's load is run N times too.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startSlapd, BASE_DN, SYNC_DN, SYNC_PW, type ChangeTracking } from '../test/support/slapd.ts';
import { sourceConfig } from '../test/support/source.ts';
import { openStore } from '../src/open-store.ts';
import { apiBench, type ApiFigures } from './api.ts';
import { drawChart } from './chart.ts';
import { summariseProfileDir, type ProfileLine } from './profile.ts';
import { accountCpu, cpuMark, cpuSince, processCpuSeconds, type StepCpu } from './cpu-account.ts';
import { SYNC_SEMI_SPACE_MB } from '../src/tasks/sync-heap.ts';
import { combineApi, combineRows, type Row } from './repeat.ts';

const { values } = parseArgs({ options: { 'api-size': { type: 'string', default: '100000' }, million: { type: 'boolean', default: false }, sizes: { type: 'string', default: '10000,100000' }, stores: { type: 'string', default: 'sqlite' + (process.env.DATABASE_URL ? ',postgres' : '') }, 'page-size': { type: 'string', default: '1000' }, tracking: { type: 'string', default: 'accesslog' }, delta: { type: 'boolean', default: false }, 'load-order': { type: 'boolean', default: false }, repeat: { type: 'string', default: '3' } } });
const loadOrder = values['load-order'] === true;
const tracking = values.tracking as ChangeTracking;
const deltaOnly = values.delta === true;
const sizes = [...values.sizes!.split(',').map(Number), ...(values.million ? [1_000_000] : [])];
const apiSize = Number(values['api-size']);
const stores = values.stores!.split(',');
const pageSize = Number(values['page-size']);
/** Repetitions of every measurement; a figure is their median (repeat.ts). */
const repeat = Math.max(1, Number(values.repeat));

/** One user in ten has a real photo (a 48 × 48 JPEG), which ldapsync syncs as their avatar. */
const PHOTO_BASE64 = readFileSync(new URL('../test/fixtures/photo-blue.jpg', import.meta.url)).toString('base64');

/** The same numbers on every run, so every run reads the same directory (mulberry32). */
function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A version 4 UUID's text from the given numbers. */
function uuid(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = (8 + Math.floor(random() * 4)).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Writes n users as LDIF to a file, a chunk at a time (a million do not fit in one string): in a
 * shuffled order of names, each with a random entryUUID, unless `--load-order` is given.
 */
function bulkLdif(n: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ldapsync-bench-ldif-')), 'users.ldif');
  writeFileSync(file, '');
  const random = seededRandom(n);
  const order = Uint32Array.from({ length: n }, (_, k) => k + 1);
  if (!loadOrder) for (let k = n - 1; k > 0; k--) { const j = Math.floor(random() * (k + 1)); const t = order[k]!; order[k] = order[j]!; order[j] = t; }
  let out: string[] = [];
  const flush = () => { appendFileSync(file, out.join('\n') + '\n\n'); out = []; };
  for (const i of order) {
    if (out.length === 10_000) flush();
    const u = `user${String(i).padStart(7, '0')}`;
    out.push(`dn: uid=${u},ou=people,${BASE_DN}\nobjectClass: inetOrgPerson\nobjectClass: mailExtension\nuid: ${u}\n${loadOrder ? '' : `entryUUID: ${uuid(random)}\n`}cn: Bench User ${i}\nsn: User${i}\ngivenName: Bench\nmail: ${u}@example.org\nmail: ${u}.alt@example.org\nmailAlternativeAddress: smtp:${u}.x@example.org\ntitle: Engineer ${i % 50}\ntelephoneNumber: +1 555 ${String(i).padStart(7, '0')}\nemployeeNumber: ${i}\n${i % 10 === 0 ? `jpegPhoto:: ${PHOTO_BASE64}\n` : ''}`);
  }
  flush();
  return file;
}

/** One statement on a connection of its own, closed whatever the statement did. */
async function queryOnce<R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { return (await c.query<R>(text)).rows; } finally { await c.end(); }
}

const dropSchema = async (url: string, schema: string): Promise<void> => { await queryOnce(url, `DROP SCHEMA "${schema}" CASCADE`); };

/** What `slapd -VV` says it is ("slapd 2.5.13+dfsg-5"): it writes that to standard error, not output. */
function slapdVersion(): string {
  const said = spawnSync('slapd', ['-VV'], { encoding: 'utf8' });
  const text = `${said.stdout ?? ''}${said.stderr ?? ''}`;
  return /slapd \S+/.exec(text)?.[0] ?? text.split('\n')[0]?.trim() ?? '';
}

/** The PostgreSQL server's version, when the bench measured one. */
const postgresVersion = async (url: string): Promise<string | null> => (await queryOnce<{ server_version: string }>(url, 'SHOW server_version'))[0]?.server_version ?? null;

/** What a bench child prints of a sync. */
interface ChildResult { seconds: number; cpuSeconds: number; peakRssMb: number; status: string; mode: string; entriesSeen: number; entriesRead: number; mechanism: string | null }

const time = (fn: () => void): number => { const t = performance.now(); fn(); return (performance.now() - t) / 1000; };

const rows: Row[] = [];
let api: ApiFigures | null = null;
/** Where a no-op full resync of the largest size spends its time, per store (an extra, untimed run). */
const profiles: Record<string, ProfileLine[]> = {};

for (const size of sizes) {
  const ldifFile = bulkLdif(size);
  const slapd = await startSlapd({ bulkFile: ldifFile, tracking });
  rmSync(dirname(ldifFile), { recursive: true, force: true });
  // The same attributes ldapsync asks for, photos included (it syncs them as avatars).
  const attrs = ['entryUUID', 'mail', 'cn', 'mailAlternativeAddress', 'givenName', 'sn', 'title', 'telephoneNumber', 'employeeNumber', 'thumbnailPhoto', 'jpegPhoto'];
  const slapdPid = Number(readFileSync(join(slapd.dir, 'run', 'slapd.pid'), 'utf8').trim()) || null;
  const measureFloor = (): Row => {
    const dump = accountCpu(slapdPid, false, () => {
      // This process waits meanwhile: what its reaped children's account gains is ldapsearch's.
      const before = processCpuSeconds(process.pid) ?? 0;
      const seconds = time(() => execFileSync('ldapsearch', ['-x', '-H', slapd.url, '-D', SYNC_DN, '-w', SYNC_PW, '-b', BASE_DN, '-E', `pr=${pageSize}/noprompt`, '(objectClass=inetOrgPerson)', ...attrs], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 }));
      return { seconds, cpuSeconds: (processCpuSeconds(process.pid) ?? before) - before };
    });
    const floor = dump.result.seconds;
    return { size, store: '-', step: 'ldapsearch floor', seconds: floor, ratio: 1, peakRssMb: null, cpu: dump.cpu, floorOfCoresRatio: Math.round((dump.cpu.floorOfCores / floor) * 100) / 100 };
  };
  // Rounds of changes count across repetitions: each round gives its entries a title they never had.
  let changeRound = 0;
  /** Changes `count` entries online (so the accesslog sees them), a different set each round. */
  const change = (count: number) => {
    changeRound++;
    const step = Math.max(1, Math.floor(size / count));
    let ldif = '';
    for (let i = 0, n = changeRound; i < count; i++, n += step) {
      const u = `user${String(((n - 1) % size) + 1).padStart(7, '0')}`;
      ldif += `dn: uid=${u},ou=people,${BASE_DN}\nchangetype: modify\nreplace: title\ntitle: Changed in round ${changeRound}\n\n`;
    }
    slapd.modify(ldif);
  };
  /** One repetition of every step on one store, from an empty one, timed against `floor`. */
  const runStore = async (kind: string, floor: number, profile: boolean): Promise<Row[]> => {
    const stepRows: Row[] = [];
    const url = kind === 'postgres' ? process.env.DATABASE_URL! : '';
    /** An empty store with the domain and its source, ready for a sync child. */
    const emptyStore = async (schema: string) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ldapsync-bench-'));
      const store = await openStore({ dataDir, databaseUrl: url || null, schema: schema || undefined });
      const domain = await store.domains.create({ name: 'example.org' });
      await store.sources.set(0, sourceConfig(slapd, { pageSize, users: { filter: '(objectClass=inetOrgPerson)' } }));
      await store.close();
      return { dataDir, schema, domainId: domain.id };
    };
    const schema = kind === 'postgres' ? `bench_${Date.now()}` : '';
    const { dataDir, domainId } = await emptyStore(schema);
    const steps: Array<[string, string, string, (() => void) | null]> = deltaOnly ? [
      ['initial import', '1', 'full', null],
      ['100 changes, delta run', '0', 'auto', () => change(100)],
      ['100 changes, full run', '0', 'full', () => change(100)],
    ] : [
      ['initial import', '1', 'full', null],
      ['no-op resync (full)', '0', 'full', null],
      ['resync, 1 % changed (full)', '0', 'full', () => change(Math.ceil(size / 100))],
      ['100 changes, full run', '0', 'full', () => change(100)],
      ['100 changes, delta run', '0', 'auto', () => change(100)],
    ];
    const childArgs = (importNew: string, mode: string, nodeFlags: string[], target = { dataDir, schema, domainId }) =>
      // The young generation the embedded mode's sync thread runs with, so the peak RSS is the one it has.
      [`--max-semi-space-size=${SYNC_SEMI_SPACE_MB}`, ...nodeFlags, new URL('./import-child.ts', import.meta.url).pathname, target.dataDir, url, target.schema, String(target.domainId), importNew, mode];
    const completed = (text: string): ChildResult => {
      const r = JSON.parse(text) as ChildResult;
      if (r.status !== 'completed') throw new Error(`sync did not complete: ${text}`);
      return r;
    };
    const runChild = (importNew: string, mode: string, nodeFlags: string[] = [], target = { dataDir, schema, domainId }) => {
      const child = spawnSync(process.execPath, childArgs(importNew, mode, nodeFlags, target), { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (child.status !== 0) throw new Error(`bench child failed: ${child.stderr}`);
      return completed(child.stdout);
    };
    const rowOf = (step: string, r: ChildResult, cpu: StepCpu): Row => ({ size, store: kind, step: `${step} [${r.mode}, ${r.entriesSeen} entries]`, seconds: r.seconds, ratio: r.seconds / floor, peakRssMb: r.peakRssMb, entriesRead: r.entriesRead, mechanism: r.mechanism, cpu, floorOfCoresRatio: Math.round((cpu.floorOfCores / floor) * 100) / 100 });
    for (const [step, importNew, mode, before] of steps) {
      before?.();
      const { result: r, cpu } = accountCpu(slapdPid, kind === 'postgres', () => runChild(importNew, mode));
      stepRows.push(rowOf(step, r, cpu));
    }
    /**
     * The delta again, in a process that ran one before it: the embedded mode's sync thread and
     * a cluster worker live across runs, where each step above is a new process running its code
     * for the first time. The first run is not timed.
     */
    const warmDelta = async (): Promise<Row> => {
      const child = spawn(process.execPath, childArgs('0', 'warm', []), { stdio: ['pipe', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
      const round = async (): Promise<ChildResult> => {
        child.stdin.write('\n');
        const line = await lines.next();
        if (line.done) throw new Error(`bench child ended before its answer (exit ${String((await exited)[0])})`);
        return completed(line.value);
      };
      let r: ChildResult;
      let cpu: StepCpu;
      try {
        change(100);
        await round();
        change(100);
        const mark = cpuMark(slapdPid, kind === 'postgres');
        r = await round();
        cpu = cpuSince(mark, r.cpuSeconds);
      } finally {
        // Its input's end ends the child, whatever went wrong here.
        child.stdin.end();
      }
      const [code] = await exited;
      if (code !== 0) throw new Error(`bench child failed: exit ${String(code)}`);
      return rowOf('delta run in a warm process, 100 changes', r, cpu);
    };
    stepRows.push(await warmDelta());
    if (profile) {
      // Profiled apart from the timed runs: the sampler's own cost stays out of the figures.
      const profileDir = mkdtempSync(join(tmpdir(), 'ldapsync-bench-prof-'));
      runChild('0', 'full', ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
      profiles[`${size} ${kind} no-op resync (full)`] = summariseProfileDir(profileDir);
      // The import, into a store of its own (the timed one holds the users already).
      const scratch = await emptyStore(kind === 'postgres' ? `${schema}_profile` : '');
      const importProfileDir = mkdtempSync(join(tmpdir(), 'ldapsync-bench-prof-'));
      runChild('1', 'full', ['--cpu-prof', `--cpu-prof-dir=${importProfileDir}`], scratch);
      profiles[`${size} ${kind} initial import`] = summariseProfileDir(importProfileDir);
      if (kind === 'postgres') await dropSchema(url, scratch.schema);
      rmSync(scratch.dataDir, { recursive: true, force: true });
    }
    if (kind === 'postgres') await dropSchema(url, schema);
    rmSync(dataDir, { recursive: true, force: true });
    return stepRows;
  };
  const repetitions: Row[][] = [];
  for (let r = 0; r < repeat; r++) {
    const floor = measureFloor();
    const repetition = [floor];
    const profile = r === repeat - 1 && size === Math.max(...sizes) && !deltaOnly;
    for (const kind of stores) repetition.push(...await runStore(kind, floor.seconds, profile));
    repetitions.push(repetition);
  }
  rows.push(...combineRows(repetitions));
  if (size === apiSize && !deltaOnly) {
    const runs: ApiFigures[] = [];
    for (let r = 0; r < repeat; r++) runs.push(await apiBench(slapd, size));
    api = combineApi(runs);
  }
  await slapd.destroy();
}

const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
  versions: { node: process.version, slapd: slapdVersion(), postgres: stores.includes('postgres') ? await postgresVersion(process.env.DATABASE_URL!) : null },
  pageSize,
  repeat,
  tracking,
  order: loadOrder ? 'load order' : 'shuffled names, random entryUUIDs',
  rows,
  api,
  profiles,
};
console.table(rows.map(({ cpu, ...r }) => ({ ...r, seconds: r.seconds.toFixed(2), ratio: r.ratio.toFixed(2), peakRssMb: r.peakRssMb?.toFixed(0) ?? '', cpu: cpu ? `${cpu.client} + ${cpu.slapd ?? '?'}${cpu.postgres === null ? '' : ` + ${cpu.postgres}`} s` : '' })));
if (api) console.table([api]);
for (const [name, lines] of Object.entries(profiles)) { console.log(`top functions by self time, ${name}:`); console.table(lines); }
const file = join(new URL('./results/', import.meta.url).pathname, `bench-${result.date.slice(0, 10)}-${sizes.join('-')}-${stores.join('-')}${deltaOnly ? `-delta-${tracking}` : ''}${loadOrder ? '-load-order' : ''}.json`);
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`written ${file}`);
if (sizes.length > 1 && !deltaOnly) {
  const chart = new URL('../docs/bench.svg', import.meta.url).pathname;
  writeFileSync(chart, drawChart(result));
  console.log(`written ${chart}`);
}
