/**
 * Runs one sync in its own process so its peak RSS is its own; prints JSON. With the mode `warm`
 * it stays: each line on its standard input runs a delta sync in the same process, as the
 * embedded mode's sync thread and a cluster worker run one run after another, and prints a line
 * of JSON; it ends with its input.
 */
import { createInterface } from 'node:readline';
import { openStore } from '../src/open-store.ts';
import { runSync } from '../src/sync/engine.ts';
import { connect } from '../src/directory/client.ts';
import { keepSyncGarbageYoung } from '../src/tasks/sync-heap.ts';

// As the ldapsync command does at start (src/main.ts).
keepSyncGarbageYoung();

const [dataDir, databaseUrl, schema, domainId, importNew, mode] = process.argv.slice(2);
// As the sync thread opens its store (src/tasks/sync-worker.ts).
const store = await openStore({ dataDir: dataDir!, databaseUrl: databaseUrl || null, schema: schema || undefined, groupCommits: true });

/** One sync, timed from its start to its report: the process's own start stays out. */
async function syncOnce(full: boolean): Promise<string> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const report = await runSync({ store, connect: (s) => connect(s) }, { domainId: Number(domainId), importNew: importNew === '1', lang: '', dryRun: false, full });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, counts: report.counts, status: report.status, error: report.error, peakRssMb: process.resourceUsage().maxRSS / 1024, mode: report.mode, entriesSeen: report.entriesSeen, entriesRead: report.entriesRead, mechanism: report.mechanism });
}

if (mode === 'warm') {
  for await (const _line of createInterface({ input: process.stdin })) process.stdout.write(`${await syncOnce(false)}\n`);
  await store.close();
} else {
  const result = await syncOnce(mode === 'full');
  await store.close();
  process.stdout.write(result);
}
