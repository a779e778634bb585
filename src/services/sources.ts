/**
 * Directory sources: saving, removing and testing one, with the checks, the audit entry and the
 * re-armed schedules every door gets alike.
 */
import type { Caller } from '../auth/permissions.ts';
import { parseSource, publicSourceView, SourceConfigError } from '../directory/source.ts';
import { DirectoryError } from '../directory/errors.ts';
import { withStoredPassword } from '../directory/stored-password.ts';
import { DomainError, invalidInput } from '../domain/errors.ts';
import { checkSourceWrite } from './source-policy.ts';
import { testFailureFor } from './test-answers.ts';
import type { ServiceDeps } from './deps.ts';
import type { Domain } from '../domain/tenancy.ts';
import { sourceOrgOf } from './domains.ts';

type Json = Record<string, unknown>;

export interface SourceState {
  orgId: number; config: Json; served: Domain[];
  lastRun: { id: number; domainId: number; status: string; mode: string; message: string; finishedAt: string | null } | undefined;
  users: { active: number; deactivated: number };
}

/** Where a failed connection test's raw cause is written (it may say more than the caller may see). */
export type TestFailureLog = (orgId: number, cause: string) => void;

export interface SaveOptions {
  /** Save without the connection test (grommunio's `force=true`, the command line's `--no-test`). */
  force?: boolean;
  /** Keep the stored bind password when the new config has none, for the same server and bind DN. */
  keepStoredPassword?: boolean;
  logFailure?: TestFailureLog;
}

export class SourceService {
  private readonly deps: ServiceDeps;
  constructor(deps: ServiceDeps) { this.deps = deps; }

  private get store() { return this.deps.store; }

  get(orgId: number): Promise<Json | undefined> {
    return this.store.sources.get(orgId);
  }

  /** The config that serves an organization's domains (its own, else the default); the default's for null. */
  async effective(orgId: number | null): Promise<Json | undefined> {
    return orgId === null ? this.store.sources.get(0) : (await this.store.sources.effective(orgId))?.config;
  }

  /**
   * Each source the caller may see (one serving a readable domain; every source for system
   * readers), with the readable domains it serves, their latest run and users by status.
   */
  async overview(who: Caller, readable: Domain[]): Promise<SourceState[]> {
    const saved = new Set(await this.store.sources.orgIds());
    const orgIds = new Set<number>();
    for (const d of readable) { const s = sourceOrgOf(d.orgId, saved); if (s !== null) orgIds.add(s); }
    if (who.canReadSystem) for (const id of saved) orgIds.add(id);
    const out: SourceState[] = [];
    for (const orgId of [...orgIds].sort((a, b) => a - b)) {
      const config = (await this.store.sources.get(orgId))!;
      const served = readable.filter((d) => sourceOrgOf(d.orgId, saved) === orgId);
      const lastRuns = (await Promise.all(served.map((d) => this.store.runs.lastForDomain(d.id)))).filter((r) => r !== undefined);
      const lastRun = lastRuns.sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))[0];
      const users = { active: 0, deactivated: 0 };
      for (const d of served) { const c = await this.store.users.countByStatus(d.id); users.active += c.active ?? 0; users.deactivated += c.deactivated ?? 0; }
      out.push({ orgId, config, served, lastRun, users });
    }
    return out;
  }

  /** Checks what the caller may put in a source and that it parses; the config to save or test. */
  private async prepare(who: Caller, orgId: number, body: Json, keepStoredPassword: boolean): Promise<{ config: Json; stored: Json | undefined }> {
    const stored = await this.store.sources.get(orgId);
    const config = keepStoredPassword ? withStoredPassword(body, stored) : body;
    checkSourceWrite(who, config, stored);
    try { parseSource(config); } catch (e) {
      if (e instanceof SourceConfigError) throw invalidInput(e.errors, 'Invalid LDAP configuration');
      throw e;
    }
    return { config, stored };
  }

  async save(who: Caller, orgId: number, body: Json, options: SaveOptions = {}): Promise<void> {
    const { config, stored } = await this.prepare(who, orgId, body, options.keepStoredPassword !== false);
    if (!options.force) {
      try { await this.deps.ldap.test(config); } catch (e) {
        if (!(e instanceof DirectoryError)) throw e;
        options.logFailure?.(orgId, e.message);
        throw new DomainError('CONNECTION_TEST_FAILED', 'invalid', 'LDAP connection test failed; fix the configuration or save with force=true', [testFailureFor(who, e.message)]);
      }
    }
    await this.store.sources.set(orgId, config);
    await this.deps.schedules.syncSchedules();
    await this.store.audit.record({ actor: who.username, action: 'source.set', targetType: 'source', targetId: String(orgId), before: stored && publicSourceView(stored), after: publicSourceView(config) });
  }

  async remove(who: Caller, orgId: number): Promise<void> {
    const stored = await this.store.sources.get(orgId);
    await this.store.sources.delete(orgId);
    await this.deps.schedules.syncSchedules();
    await this.store.audit.record({ actor: who.username, action: 'source.delete', targetType: 'source', targetId: String(orgId), before: stored && publicSourceView(stored), after: null });
  }

  /** Whether a saved config's directory answers now: null when it does, else why not (its raw cause). */
  async unreachableBecause(config: Json): Promise<string | null> {
    try { await this.deps.ldap.test(config); return null; } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** Binds and searches with a config (the stored password filled in) without saving it. */
  async test(who: Caller, orgId: number, body: Json, logFailure?: TestFailureLog): Promise<{ ok: boolean; message: string }> {
    const { config } = await this.prepare(who, orgId, body, true);
    const started = Date.now();
    try {
      await this.deps.ldap.test(config);
      return { ok: true, message: `Connected, bound and searched in ${Date.now() - started} ms` };
    } catch (e) {
      if (!(e instanceof DirectoryError)) throw e;
      logFailure?.(orgId, e.message);
      return { ok: false, message: testFailureFor(who, e.message) };
    }
  }
}
