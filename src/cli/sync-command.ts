/**
 * `ldapsync sync --domain ID [--import] [--lang L] [--dry-run] [--json]`.
 * Exit codes are a contract: 0 every outcome below 400, 1 some are not, 2 the run failed.
 */
import cliProgress from 'cli-progress';
import { SyncError, type SyncReport } from '../sync/engine.ts';
import type { Outcome } from '../domain/outcome.ts';
import type { AppServices } from '../services/index.ts';
import { parse, requiredId, table } from './args.ts';
import { skippedLines } from '../sync/wording.ts';
import { CLI_CALLER } from './cli-services.ts';

export interface Terminal { out: (text: string) => void; err: NodeJS.WritableStream & { isTTY?: boolean } }

export async function syncCommand(services: AppServices, argv: string[], term: Terminal): Promise<number> {
  const { values } = parse(argv, { domain: { type: 'string' }, import: { type: 'boolean' }, lang: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, full: { type: 'boolean' } });
  const domainId = requiredId(values.domain, '--domain');
  const bar = term.err.isTTY && !values.json
    ? new cliProgress.SingleBar({ format: 'syncing {bar} {value} entries | {created} created, {changed} changed, {failed} failed', stream: term.err, hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(0, 0, { created: 0, changed: 0, failed: 0 });
  let report: SyncReport;
  let outcomes: Outcome[];
  let cliTask: number | null = null;
  try {
    const input = { importNew: values.import === true, lang: typeof values.lang === 'string' ? values.lang : '', full: values.full === true };
    ({ report, outcomes } = await services.sync.runHere(CLI_CALLER, domainId, input, {
      dryRun: values['dry-run'] === true,
      onTask: (taskId) => { cliTask = taskId; },
      onProgress: (p) => {
        bar?.setTotal(p.seen);
        bar?.update(p.seen, { created: p.counts.created, changed: p.counts.updated + p.counts.moved, failed: p.counts.failed + p.counts.conflicts + p.counts.invalid });
      },
    }));
  } catch (e) {
    bar?.stop();
    if (!(e instanceof SyncError)) throw e;
    if (values.json) term.out(JSON.stringify({ error: { code: e.code, message: e.message } }));
    else term.err.write(`ldapsync: ${e.message}\n`);
    return 2;
  }
  bar?.stop();
  if (values.json) {
    const { plan, outcomes: _, ...summary } = report;
    term.out(JSON.stringify({ ...summary, ...(report.dryRun ? { plan } : {}), outcomes }, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), 2));
  } else {
    const c = report.counts;
    term.out(table(['', 'COUNT'], [
      ['created', c.created], ['updated', c.updated], ['moved or renamed', c.moved], ['unchanged', c.unchanged],
      ['reactivated', c.reactivated], ['deactivated', c.deactivated], ['conflicts', c.conflicts], ['invalid', c.invalid],
      ['failed', c.failed], ['skipped (out of scope)', c.skipped],
    ]));
    for (const line of skippedLines(report.skipped)) term.out(`  ${line}`);
    const problems = outcomes.filter((o) => o.code >= 400);
    if (problems.length) term.out(`\n${table(['ID', 'USERNAME', 'CODE', 'MESSAGE'], problems.slice(0, 50).map((o) => [o.ID, o.username, o.code, o.message]))}${problems.length > 50 ? `\n... and ${problems.length - 50} more (use --json)` : ''}`);
    term.out(`\n${report.mode}${report.modeReason ? ` (${report.modeReason})` : ''}: ${report.message}`);
    if (report.held) term.out(`${report.held} deactivations wait for approval: ldapsync approve --run ${report.runId} (or reject), or task ${cliTask} under Tasks in the console`);
  }
  if (report.held) return 1;
  if (report.error) return 2;
  return outcomes.some((o) => o.code >= 400) ? 1 : 0;
}
