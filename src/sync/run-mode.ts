/**
 * Full or delta, and with which change detection: decided from the stored state before the run
 * connects. The stored mechanism is kept while the source is as it was; otherwise (and when the
 * source forces one, to check it) the server is asked once connected.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { DirectorySource } from '../directory/source.ts';
import type { DeltaMechanism } from './delta.ts';
import { forcedMechanism, isMechanism, mechanismNamed } from './delta-choice.ts';

export interface ModeOptions { only?: Uint8Array[]; full?: boolean; importNew: boolean }

/**
 * `probe`: the mechanism is asked of the server once connected (unknown, or forced and to be
 * checked). `skippedNew`: an earlier run without import left new entries out since the last full
 * run; a delta cannot bring them back, so the next run with import is full.
 */
export type Mode = { kind: 'full'; reason: string; mechanism: DeltaMechanism | null; probe: boolean; skippedNew: boolean } | { kind: 'delta'; mechanism: DeltaMechanism; cookie: string; skippedNew: boolean };

/**
 * A fingerprint of what decides which entries are in scope, how they map, which servers answer
 * and to whom (what a bind may read decides the mechanism too). A changed filter, base, mapping
 * or server list makes the stored cookie (and the stored choice of mechanism) meaningless: full
 * run, and the server is asked again.
 */
function scopeHash(source: DirectorySource): string {
  const scope = JSON.stringify([source.baseDn, source.objectID, source.users, source.groups, source.vendor, source.connection.servers, source.connection.bindUser]);
  return createHash('sha1').update(scope).digest('hex').slice(0, 12);
}

/** The stored key: `mechanism@fingerprint`, with `!skipped-new` while new entries wait for an import. */
export const stateKey = (mechanism: DeltaMechanism, source: DirectorySource, skippedNew = false): string =>
  `${mechanism.name}@${scopeHash(source)}${skippedNew ? SKIPPED_NEW : ''}`;
const SKIPPED_NEW = '!skipped-new';

export async function chooseMode(store: Store, source: DirectorySource, domainId: number, options: ModeOptions): Promise<Mode> {
  if (options.only) return { kind: 'full', reason: 'single entries', mechanism: null, probe: false, skippedNew: false };
  if (source.delta === 'off') return { kind: 'full', reason: 'delta sync is off for this source', mechanism: null, probe: false, skippedNew: false };
  const forced = forcedMechanism(source);
  const state = await store.syncState.get(domainId);
  const [storedName = '', storedRest = ''] = state ? state.mechanism.split('@') : [];
  const skippedNew = storedRest.endsWith(SKIPPED_NEW);
  const storedScope = storedRest.replace(SKIPPED_NEW, '');
  const sameScope = storedScope === scopeHash(source);
  // The stored choice holds while the source is as it was; otherwise the server is asked again.
  const stored = isMechanism(storedName) && sameScope ? mechanismNamed(storedName, source) : null;
  const known = forced ?? stored;
  const full = (reason: string): Mode => ({ kind: 'full', reason, mechanism: known, probe: known === null || forced !== null, skippedNew });
  if (options.full) return full('full run requested');
  if (!state) return full('first run');
  if (forced && storedName !== forced.name) return full(`change detection switched to ${forced.name}`);
  if (!sameScope) return full('the source configuration changed');
  if (!known) return full(`the stored change detection '${storedName}' is unknown`);
  if (Date.now() - Date.parse(state.lastFullAt) > source.fullSyncEveryHours * 3_600_000) return full('scheduled full reconcile');
  if (skippedNew && options.importNew) return full('a run without import left new entries out');
  return { kind: 'delta', mechanism: known, cookie: state.cookie, skippedNew };
}
