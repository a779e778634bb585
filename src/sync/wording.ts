/**
 * How a run says what it did, or in a dry run what it would do: the one-line summary, the
 * outcome lines of a preview, and the entries it passed over (named, so "12 skipped" can be
 * checked). A dry run never says "User created": nobody was.
 */
import { summaryMessage, type Outcome, type SyncCounts } from '../domain/outcome.ts';
import type { PlanItem, SkipReason } from './planner.ts';

/** A dry run's line for a user it would leave alone; the preview leaves these out. */
export const WOULD_STAY = 'Unchanged; nothing would be written';

const SKIP_REASONS: Record<SkipReason, string> = {
  'other-domain': 'their address is in another domain',
  'not-imported': 'new, and importing new users is off (--import, import=true)',
  'invalid-entry': 'the entry cannot be mapped to a user and is not linked here',
};

/** Names kept per skip reason: enough to see who, bounded on a million-entry run. */
const SAMPLE = 5;

export type Skipped = Partial<Record<SkipReason, { count: number; names: string[]; why: string }>>;

export function noteSkip(skipped: Skipped, reason: SkipReason, name: string): void {
  const entry = skipped[reason] ?? (skipped[reason] = { count: 0, names: [], why: SKIP_REASONS[reason] });
  entry.count++;
  if (entry.names.length < SAMPLE) entry.names.push(name);
}

/** One line per reason: "10 skipped because their address is in another domain: a@x, b@y, … and 8 more". */
export function skippedLines(skipped: Skipped): string[] {
  return Object.values(skipped).map((s) => `${s.count} skipped because ${s.why}: ${s.names.join(', ')}${s.count > s.names.length ? `, and ${s.count - s.names.length} more` : ''}`);
}

/** What a dry run's outcome says: the same code, in the conditional. */
export function wouldOutcome(item: PlanItem, outcome: Outcome): Outcome {
  switch (item.kind) {
    case 'create': return { ...outcome, message: item.note ? `Would be created (${item.note})` : 'Would be created' };
    case 'unchanged': return item.note ? { ...outcome, message: `${WOULD_STAY} (${item.note})` } : { ...outcome, message: WOULD_STAY, quiet: true };
    case 'update': {
      const detail = /^Synchronization successful(?: \((.*)\))?$/.exec(outcome.message)?.[1];
      const parts = (detail ?? '').split('; ').filter(Boolean).map((p) => p
        .replace(/^deactivated: /, 'would be deactivated: ').replace(/^reactivated$/, 'would be reactivated')
        .replace(/^local user linked/, 'local user would be linked').replace(/^moved to /, 'would move to ').replace(/^updated /, 'would update '));
      return { ...outcome, message: `Would be synchronized${parts.length ? ` (${parts.join('; ')})` : ''}` };
    }
    case 'gone': return { ...outcome, message: 'Gone from the directory; would be deactivated' };
    case 'missing': return { ...outcome, message: 'Not found in the directory; would be left as it is' };
    default: return outcome;
  }
}

/**
 * The run's one line: summaryMessage's "235/235 synced: 235 created (4.2s)", or for a dry run
 * "dry run, nothing written: 235 would be created (0.3s)".
 */
export function summaryLine(counts: SyncCounts, elapsedMs: number, error: string | null, dryRun = false): string {
  if (!dryRun) return summaryMessage(counts, elapsedMs, error);
  const errors = counts.failed + counts.conflicts + counts.invalid;
  const details = [[counts.created, 'would be created'], [counts.updated + counts.moved, 'would be updated'], [counts.unchanged, 'would stay as they are'],
    [counts.reactivated, 'would be reactivated'], [counts.deactivated, 'would be deactivated'], [errors, errors === 1 ? 'error expected' : 'errors expected']] as const;
  const parts = details.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const text = `dry run, nothing written: ${parts.join(', ') || 'nothing would change'} (${(elapsedMs / 1000).toFixed(1)}s)`;
  return error ? `${text}; failed: ${error}` : text;
}
