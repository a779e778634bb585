/**
 * One scenario for every directory server: import, then five runs in a row, each after one kind
 * of change (add, change, rename, move out of scope, delete). Each must be a delta run of the
 * expected mechanism that reports exactly that change.
 */
import assert from 'node:assert/strict';
import { runSync, type SyncReport } from '../../src/sync/engine.ts';
import { connect } from '../../src/directory/client.ts';
import type { Outcome } from '../../src/domain/outcome.ts';
import type { TestStore } from './stores.ts';

export interface DeltaStep {
  name: string;
  act(): void | Promise<void>;
  /** [username, code] of every outcome the run must give, and nothing else. */
  expect: Array<[string, number]>;
  check?(t: TestStore): Promise<void>;
}

export interface StepResult { report: SyncReport; outcomes: Outcome[] }

export async function syncOnce(t: TestStore, domainId: number, importNew = true): Promise<StepResult> {
  const report = await runSync({ store: t.store, connect: (s) => connect(s) }, { domainId, importNew, lang: '', dryRun: false });
  const outcomes = report.runId === null ? report.outcomes : await t.store.runs.allOutcomes(report.runId);
  return { report, outcomes };
}

/**
 * Runs the import and the five steps; returns every run's report. `pauseMs`: a wait before each
 * run's changes, for timestamps of whole seconds (>= re-reads the cookie's own second).
 */
export async function fiveDeltas(t: TestStore, domainId: number, mechanism: string, imported: number, steps: DeltaStep[], pauseMs = 0): Promise<SyncReport[]> {
  const pause = () => new Promise((r) => setTimeout(r, pauseMs));
  await pause();
  const first = await syncOnce(t, domainId);
  assert.equal(first.report.status, 'completed', first.report.message);
  assert.equal(first.report.mode, 'full');
  assert.equal(first.report.modeReason, 'first run');
  assert.equal(first.report.mechanism, mechanism, `chosen: ${first.report.mechanism} (${first.report.mechanismReason})`);
  assert.equal(first.report.counts.created, imported);
  const reports = [first.report];
  for (const step of steps) {
    await pause();
    await step.act();
    const { report, outcomes } = await syncOnce(t, domainId);
    assert.equal(report.status, 'completed', `${step.name}: ${report.message}`);
    assert.equal(report.mode, `delta:${mechanism}`, `${step.name}: ${report.mode} (${report.modeReason})`);
    assert.deepEqual(outcomes.map((o) => [o.username, o.code]).sort(), [...step.expect].sort(), `${step.name}: ${JSON.stringify(outcomes)}`);
    await step.check?.(t);
    reports.push(report);
  }
  return reports;
}
