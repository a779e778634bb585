/**
 * What a sync run is asked and what it answers: the contract its callers (the task queue, the
 * command line, the services) hold it to. `engine.ts` re-exports all of it.
 */
import type { Store } from '../store/store.ts';
import type { DirectoryPort } from '../directory/port.ts';
import type { DirectorySource } from '../directory/source.ts';
import type { OutcomeCode, Outcome, SyncCounts, SyncSummary } from '../domain/outcome.ts';
import type { PlanItem } from './planner.ts';
import type { Skipped } from './wording.ts';

export class SyncError extends Error {
  readonly code: OutcomeCode;
  constructor(code: OutcomeCode, message: string) {
    super(message);
    this.name = 'SyncError';
    this.code = code;
  }
}

export interface SyncOptions {
  domainId: number;
  importNew: boolean;
  lang: string;
  dryRun: boolean;
  taskId?: number | null;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Sync only the entries with these stable IDs (one search); no deletion phase. */
  only?: Uint8Array[];
  /** Link a local user of the same name (importUser with force). */
  adoptLocal?: boolean;
  /** Force a full reconcile even when a delta is possible. */
  full?: boolean;
  /** Told once the run has its domain and mode, before the directory is read (for the log). */
  onStart?: (start: SyncStart) => void;
}

export interface SyncStart { runId: number | null; domainId: number; domain: string; mode: string; modeReason: string | null }

export interface SyncProgress { phase: 'directory' | 'gone'; seen: number; counts: SyncCounts; elapsedMs: number }

export interface SyncDeps {
  store: Store;
  connect: (source: DirectorySource) => Promise<DirectoryPort>;
}

export interface SyncReport extends SyncSummary {
  /** `full`, or `delta:<mechanism>`; with the reason a full run was chosen. */
  mode: string;
  modeReason: string | null;
  /** The change detection this run used or set up (null: none), and why it was chosen when it was. */
  mechanism: string | null;
  mechanismReason: string | null;
  /** Entries the directory sent: the users read plus what change detection read. */
  entriesRead: number;
  /** Entries mapped and planned field by field; the others' stored keys showed them unchanged. */
  entriesMapped: number;
  /** Referrals and continuation references the directory answered with; not followed. */
  references: string[];
  /** Deactivations held for approval (0 unless status is awaiting-approval). */
  held: number;
  /** A dry run's plan, item by item; empty for a real run (its outcomes are in the store). */
  plan: PlanItem[];
  /** A dry run's outcomes; a real run's are read back with store.runs.outcomes(runId). */
  outcomes: Outcome[];
  /** Entries passed over, per reason, with the first few names. */
  skipped: Skipped;
}

export interface SyncDomain { id: number; name: string; orgId: number }
