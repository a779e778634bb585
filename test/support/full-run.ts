/** A full run with import, as the page tests make it: completed, or the test fails with its message. */
import assert from 'node:assert/strict';
import type { Store } from '../../src/store/store.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import { runSync } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';

/** Runs it and returns its outcomes in order. */
export async function fullRunOutcomes(store: Store, domainId: number): Promise<Outcome[]> {
  const report = await runSync({ store, connect: (s) => connect(s) }, { domainId, importNew: true, lang: '', dryRun: false, full: true });
  assert.equal(report.status, 'completed', report.message);
  return store.runs.allOutcomes(report.runId!);
}
