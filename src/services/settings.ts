/**
 * Settings a caller reads and changes by name: the sign-in backend (grommunio's authmgr) and the
 * privileged settings Rocket.Chat names (plain values, or fields of the default directory
 * source). Who may read or change each, the checks on the value and the audit entry are here;
 * which names a dialect offers, and in which shape, is the dialect's.
 */
import type { Caller } from '../auth/permissions.ts';
import { parseSource, publicSourceView, SourceConfigError } from '../directory/source.ts';
import { dropPasswordIfMoved } from '../directory/stored-password.ts';
import { DomainError, invalidInput, notPermitted } from '../domain/errors.ts';
import { setSignInBackend, signInBackend, type SignInBackend } from '../auth/sign-in-backend.ts';
import { requirePermission } from './permissions.ts';
import { checkSourceWrite } from './source-policy.ts';
import type { ServiceDeps } from './deps.ts';

type Json = Record<string, unknown>;

/** A setting kept under its own key, with its default and its check (the reason a value is refused). */
export interface PlainSetting { kind: 'plain'; key: string; fallback: unknown; check(value: unknown): string | null }
/** A setting that is a field of the default source (org 0): how to read it and to write it in. */
export interface SourceSetting { kind: 'source'; read(config: Json): unknown; write(config: Json, value: unknown): Json | string }
export type PrivilegedSetting = PlainSetting | SourceSetting;

const refused = (message: string) => new DomainError('SETTING_REFUSED', 'invalid', message);
const notKept = (id: string) => refused(`Setting ${id} is not one ldapsync keeps`);

export class SettingsService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  /** Whether directory sign-in is on; asked at every sign-in, before anyone is known. */
  signInBackend(): Promise<SignInBackend> {
    return signInBackend(this.store);
  }

  async readSignInBackend(who: Caller): Promise<SignInBackend> {
    if (!who.canReadSystem) throw notPermitted();
    return signInBackend(this.store);
  }

  /** `always_ldap` (grommunio's third value) is refused: a directory entry could take over a local account. */
  async setSignInBackend(who: Caller, next: SignInBackend | 'always_ldap'): Promise<void> {
    if (!who.isSystemAdmin) throw notPermitted();
    if (next === 'always_ldap') throw invalidInput(["authBackendSelection: ldapsync never signs a local account in through the directory; use 'externid'"], 'Sign-in backend not supported');
    const before = await signInBackend(this.store);
    await setSignInBackend(this.store, next);
    await this.store.audit.record({ actor: who.username, action: 'authmgr.set', targetType: 'setting', targetId: 'authBackendSelection', before: { authBackendSelection: before }, after: { authBackendSelection: next } });
  }

  /** A plain setting's value for anyone (what it decides applies before a caller is known). */
  async value(setting: PlainSetting): Promise<unknown> {
    return (await this.store.settings.get(setting.key)) ?? setting.fallback;
  }

  /** `id` names the setting in the caller's words; `setting` is what it stands for, if anything. */
  async read(who: Caller, id: string, setting: PrivilegedSetting | undefined): Promise<unknown> {
    requirePermission(who, 'view-privileged-setting');
    if (!setting) throw notKept(id);
    if (setting.kind === 'plain') return this.value(setting);
    return setting.read((await this.store.sources.get(0)) ?? {});
  }

  async write(who: Caller, id: string, setting: PrivilegedSetting | undefined, value: unknown): Promise<void> {
    requirePermission(who, 'edit-privileged-setting');
    if (!setting) throw notKept(id);
    if (setting.kind === 'plain') {
      const problem = setting.check(value);
      if (problem) throw refused(`${id}: ${problem}`);
      await this.store.settings.set(setting.key, value);
      await this.store.audit.record({ actor: who.username, action: 'setting.set', targetType: 'setting', targetId: id, before: null, after: { value } });
      return;
    }
    const before = (await this.store.sources.get(0)) ?? {};
    const written = setting.write(before, value);
    if (typeof written === 'string') throw refused(`${id}: ${written}`);
    const next = dropPasswordIfMoved(written, before);
    checkSourceWrite(who, next, before);
    try { parseSource(next); } catch (e) {
      // An incomplete configuration may be saved step by step while LDAP is off; never while on.
      if (!(e instanceof SourceConfigError) || next.disabled !== true) throw e instanceof SourceConfigError ? refused(e.message) : e;
    }
    await this.store.sources.set(0, next);
    await this.deps.schedules.syncSchedules();
    await this.store.audit.record({ actor: who.username, action: 'source.set', targetType: 'source', targetId: '0', before: publicSourceView(before), after: publicSourceView(next) });
  }
}
