/**
 * Which change detection a source uses: the one it forces, or - for `auto` - the best the server
 * offers, found by asking it (the root DSE, then a probe of the candidate). The order:
 * RFC 4533 content sync, OpenLDAP's accesslog, Active Directory's DirSync where the bind account
 * may use it, else its uSNChanged, and modifyTimestamp.
 * The engine asks only at a first run and when the source changed; the answer is stored with
 * the cookie and kept until then.
 */
import type { DirectoryPort } from '../directory/port.ts';
import { allStrings, first } from '../directory/port.ts';
import type { DirectorySource } from '../directory/source.ts';
import { SYNC_REQUEST } from '../directory/content-sync.ts';
import { presetFor } from '../directory/presets.ts';
import { AccesslogMechanism, MECHANISMS, TimestampMechanism, UsnMechanism, type DeltaMechanism, type Mechanism } from './delta.ts';
import { SyncreplMechanism } from './delta-syncrepl.ts';
import { DIRSYNC, DirSyncMechanism } from './delta-dirsync.ts';

const ROOT_DSE = ['supportedControl', 'supportedExtension', 'namingContexts', 'vendorName', 'vendorVersion', 'highestCommittedUSN', 'defaultNamingContext'];

/** A forced mechanism the server lacks: the run stops and says so, it never falls back. */
export class MechanismUnavailable extends Error {}

export const isMechanism = (name: string): name is Mechanism => (MECHANISMS as readonly string[]).includes(name);

export function mechanismNamed(name: Mechanism, source: DirectorySource): DeltaMechanism {
  switch (name) {
    case 'syncrepl': return new SyncreplMechanism(source);
    case 'accesslog': return new AccesslogMechanism();
    case 'dirsync': return new DirSyncMechanism(source);
    case 'usn': return new UsnMechanism(source);
    case 'timestamp': return new TimestampMechanism(source);
  }
}

/** The mechanism the source forces, or null for `auto` (and for `off`). */
export function forcedMechanism(source: DirectorySource): DeltaMechanism | null {
  return isMechanism(source.delta) ? mechanismNamed(source.delta, source) : null;
}

export interface Choice { mechanism: DeltaMechanism; why: string }

/** Asks the server and picks the best mechanism it offers this bind. */
export async function chooseMechanism(directory: DirectoryPort, source: DirectorySource): Promise<Choice> {
  const forced = forcedMechanism(source);
  if (forced) {
    const missing = await forced.unavailable(directory);
    if (missing) throw new MechanismUnavailable(`delta is set to '${forced.name}', but ${missing}`);
    return { mechanism: forced, why: `set by the source (delta: '${forced.name}')` };
  }
  const dse = await directory.rootDse(ROOT_DSE);
  const controls = new Set(dse ? allStrings(dse, 'supportedControl') : []);
  const contexts = (dse ? allStrings(dse, 'namingContexts') : []).map((c) => c.toLowerCase());
  // What the server says it is, where it says so (389-DS does, OpenLDAP and AD do not), heads the reason.
  const vendor = dse ? first(dse, 'vendorName') : undefined;
  const passed: string[] = vendor ? [`${String(vendor)} ${String(first(dse!, 'vendorVersion') ?? '')}`.trim()] : [];
  if (controls.has(SYNC_REQUEST)) {
    const syncrepl = new SyncreplMechanism(source);
    const missing = await syncrepl.unavailable(directory);
    if (!missing) return { mechanism: syncrepl, why: [...passed, 'the server does RFC 4533 content sync on the base'].join('; ') };
    passed.push(missing);
  } else passed.push('no RFC 4533 content sync advertised');
  if (contexts.includes('cn=accesslog') || presetFor(source.vendor).delta.probeAccesslog) {
    const accesslog = new AccesslogMechanism();
    const missing = await accesslog.unavailable(directory);
    if (!missing) return { mechanism: accesslog, why: `${passed.join('; ')}; the accesslog database is readable` };
    passed.push(missing);
  }
  if (controls.has(DIRSYNC)) {
    const dirsync = new DirSyncMechanism(source);
    const missing = await dirsync.unavailable(directory);
    if (!missing) return { mechanism: dirsync, why: `${passed.join('; ')}; Active Directory: DirSync is allowed to this account` };
    passed.push(missing);
  }
  if (dse && first(dse, 'highestCommittedUSN') !== undefined) {
    return { mechanism: new UsnMechanism(source), why: `${passed.join('; ')}; Active Directory: uSNChanged with the DC's invocationId` };
  }
  return { mechanism: new TimestampMechanism(source), why: `${passed.join('; ')}; modifyTimestamp with a scan of IDs for deletions` };
}
