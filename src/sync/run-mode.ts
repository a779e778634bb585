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

export interface ModeOptions { only?: Uint8Array[]; full?: boolean }

/** `probe`: the mechanism is asked of the server once connected (unknown, or forced and to be checked). */
export type Mode = { kind: 'full'; reason: string; mechanism: DeltaMechanism | null; probe: boolean } | { kind: 'delta'; mechanism: DeltaMechanism; cookie: string };

/**
 * A fingerprint of what decides which entries are in scope, how they map, which servers answer
 * and to whom (what a bind may read decides the mechanism too). A changed filter, base, mapping or server list makes the stored cookie (and the stored
 * choice of mechanism) meaningless: full run, and the server is asked again.
 */
function scopeHash(source: DirectorySource): string {
  const scope = JSON.stringify([source.baseDn, source.objectID, source.users, source.groups, source.vendor, source.connection.servers, source.connection.bindUser]);
  return createHash('sha1').update(scope).digest('hex').slice(0, 12);
}

export const stateKey = (mechanism: DeltaMechanism, source: DirectorySource): string => `${mechanism.name}@${scopeHash(source)}`;

export async function chooseMode(store: Store, source: DirectorySource, domainId: number, options: ModeOptions): Promise<Mode> {
  if (options.only) return { kind: 'full', reason: 'single entries', mechanism: null, probe: false };
  if (source.delta === 'off') return { kind: 'full', reason: 'delta sync is off for this source', mechanism: null, probe: false };
  const forced = forcedMechanism(source);
  const state = await store.syncState.get(domainId);
  const [storedName = '', storedScope = ''] = state ? state.mechanism.split('@') : [];
  const sameScope = storedScope === scopeHash(source);
  // The stored choice holds while the source is as it was; otherwise the server is asked again.
  const stored = isMechanism(storedName) && sameScope ? mechanismNamed(storedName, source) : null;
  const known = forced ?? stored;
  const full = (reason: string): Mode => ({ kind: 'full', reason, mechanism: known, probe: known === null || forced !== null });
  if (options.full) return full('full run requested');
  if (!state) return full('first run');
  if (forced && storedName !== forced.name) return full(`change detection switched to ${forced.name}`);
  if (!sameScope) return full('the source configuration changed');
  if (!known) return full(`the stored change detection '${storedName}' is unknown`);
  if (Date.now() - Date.parse(state.lastFullAt) > source.fullSyncEveryHours * 3_600_000) return full('scheduled full reconcile');
  return { kind: 'delta', mechanism: known, cookie: state.cookie };
}
