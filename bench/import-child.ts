/** Runs one sync in its own process so its peak RSS is its own; prints JSON. */
import { openStore } from '../src/open-store.ts';
import { runSync } from '../src/sync/engine.ts';
import { connect } from '../src/directory/client.ts';
import { keepSyncGarbageYoung } from '../src/tasks/sync-heap.ts';

// As the ldapsync command does at start (src/main.ts).
keepSyncGarbageYoung();

const [dataDir, databaseUrl, schema, domainId, importNew, mode] = process.argv.slice(2);
// As the sync thread opens its store (src/tasks/sync-worker.ts).
const store = await openStore({ dataDir: dataDir!, databaseUrl: databaseUrl || null, schema: schema || undefined, groupCommits: true });
const started = performance.now();
const cpuBefore = process.cpuUsage();
const report = await runSync({ store, connect: (s) => connect(s) }, { domainId: Number(domainId), importNew: importNew === '1', lang: '', dryRun: false, full: mode === 'full' });
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await store.close();
process.stdout.write(JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, counts: report.counts, status: report.status, error: report.error, peakRssMb: process.resourceUsage().maxRSS / 1024, mode: report.mode, entriesSeen: report.entriesSeen, entriesRead: report.entriesRead, mechanism: report.mechanism }));
