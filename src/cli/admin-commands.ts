/** `ldapsync org|domain|source|users ...`: the directory's admin objects from the shell. */
import { readFileSync } from 'node:fs';
import type { Store } from '../store/store.ts';
import { id, parse, requiredId, table, UsageError } from './args.ts';
import type { AppServices } from '../services/index.ts';
import { asCommand, CLI_CALLER, cliServices } from './cli-services.ts';

type Out = (text: string) => void;

export async function orgCommand(store: Store, argv: string[], out: Out, services: AppServices = cliServices(store)): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, { json: { type: 'boolean' }, description: { type: 'string' } });
  if (action === 'add') {
    if (!positionals[0]) throw new UsageError('usage: ldapsync org add NAME [--description TEXT]');
    const name = positionals[0];
    const { org } = await asCommand(() => services.organizations.create(CLI_CALLER, { name, description: (values.description as string) ?? '' }));
    out(String(org.id));
    return 0;
  }
  if (action === 'list') {
    const orgs = (await services.organizations.list(CLI_CALLER)).map((o) => o.org);
    out(values.json ? JSON.stringify(orgs, null, 2) : table(['ID', 'NAME', 'DESCRIPTION'], orgs.map((o) => [o.id, o.name, o.description])));
    return 0;
  }
  throw new UsageError('usage: ldapsync org add NAME | org list [--json]');
}

export async function domainCommand(store: Store, argv: string[], out: Out, services: AppServices = cliServices(store)): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, { org: { type: 'string' }, json: { type: 'boolean' } });
  if (action === 'add') {
    const name = positionals[0];
    if (!name || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(name)) throw new UsageError('usage: ldapsync domain add NAME [--org ID] (NAME is a domain name such as example.org)');
    const orgId = typeof values.org === 'string' ? id(values.org, '--org') : 0;
    const domain = await asCommand(() => services.domains.create(CLI_CALLER, { name, orgId }));
    out(String(domain.id));
    return 0;
  }
  if (action === 'list') {
    const domains = await services.domains.readable(CLI_CALLER);
    out(values.json ? JSON.stringify(domains, null, 2) : table(['ID', 'NAME', 'ORG'], domains.map((d) => [d.id, d.name, d.orgId])));
    return 0;
  }
  throw new UsageError('usage: ldapsync domain add NAME [--org ID] | domain list [--json]');
}

export async function usersCommand(store: Store, argv: string[], out: Out, services: AppServices = cliServices(store)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parse(rest, { domain: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
  if (action !== 'list') throw new UsageError('usage: ldapsync users list --domain ID [--json]');
  const domainId = requiredId(values.domain, '--domain');
  const limit = typeof values.limit === 'string' ? id(values.limit, '--limit') : 1_000_000;
  const users = await asCommand(() => services.users.inDomain(CLI_CALLER, domainId, limit), { NOT_FOUND: `domain ${domainId} does not exist` });
  if (values.json) {
    out(JSON.stringify(users.map((u) => ({ ...u, externId: u.externId ? Buffer.from(u.externId).toString('hex') : null })), null, 2));
  } else {
    out(table(['ID', 'USERNAME', 'NAME', 'STATUS', 'LINKED', 'DN'], users.map((u) => [u.id, u.username, u.displayName, u.status, u.externId ? 'yes' : 'no', u.dn ?? ''])));
  }
  return 0;
}

/**
 * `ldapsync admin create NAME [--password-file F] [--domain-admin ID]`; the password is read, never
 * a flag. Everything that can be checked without it is checked first (a taken name, a domain or
 * organization that does not exist), and a password typed at a terminal is asked for twice.
 */
export async function adminCommand(store: Store, argv: string[], out: Out, readPassword: (prompt: string) => Promise<string>, interactive = false, services: AppServices = cliServices(store)): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, { 'password-file': { type: 'string' }, 'domain-admin': { type: 'string' }, 'org-admin': { type: 'string' }, 'read-only': { type: 'boolean' } });
  const name = positionals[0];
  if (action === 'password' && name) return adminPassword(services, name, values['password-file'], out, readPassword, interactive);
  if (action !== 'create' || !name) throw new UsageError(action === 'create' || action === 'password' ? 'NAME is required' : `unknown action '${action ?? ''}'`);
  const grants = typeof values['domain-admin'] === 'string' ? [{ permission: 'DomainAdmin', param: String(id(values['domain-admin'], '--domain-admin')) }]
    : typeof values['org-admin'] === 'string' ? [{ permission: 'OrgAdmin', param: String(id(values['org-admin'], '--org-admin')) }]
      : values['read-only'] ? [{ permission: 'SystemAdminRO', param: '' }] : [{ permission: 'SystemAdmin', param: '' }];
  const grant = grants[0]!;
  await asCommand(() => services.accounts.checkNewAdmin(CLI_CALLER, name, grant), {
    DOMAIN_MISSING: `domain ${grant.param} does not exist (ldapsync domain list shows the IDs)`,
    ORGANIZATION_MISSING: `organization ${grant.param} does not exist (ldapsync org list shows the IDs)`,
  });
  let password: string;
  if (typeof values['password-file'] === 'string') {
    try { password = readFileSync(values['password-file'], 'utf8').trim(); } catch (e) { throw new UsageError(`cannot read ${values['password-file']}: ${(e as Error).message}`); }
  } else {
    password = await readPassword(`password for ${name}: `);
    if (interactive && (await readPassword('the same password again: ')) !== password) throw new UsageError('the two passwords differ; nothing was created');
  }
  try {
    out(String(await services.accounts.createAdmin(CLI_CALLER, name, password, grants)));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return 0;
}

/** `ldapsync admin password NAME`: a new password; the account's sessions and tokens end. */
async function adminPassword(services: AppServices, name: string, file: unknown, out: Out, readPassword: (prompt: string) => Promise<string>, interactive: boolean): Promise<number> {
  await asCommand(() => services.accounts.checkPasswordChange(CLI_CALLER, name), { NO_LOCAL_ACCOUNT: `no local account ${name} (ldapsync users list shows directory users; they change their password in the directory)` });
  let password: string;
  if (typeof file === 'string') {
    try { password = readFileSync(file, 'utf8').trim(); } catch (e) { throw new UsageError(`cannot read ${file}: ${(e as Error).message}`); }
  } else {
    password = await readPassword(`new password for ${name}: `);
    if (interactive && (await readPassword('the same password again: ')) !== password) throw new UsageError('the two passwords differ; nothing was changed');
  }
  try { await services.accounts.changePassword(CLI_CALLER, name, password); } catch (e) { throw new UsageError((e as Error).message); }
  out(`password of ${name} changed; its sessions and tokens ended`);
  return 0;
}

/** `ldapsync approve|reject --run ID | --task ID`: decide deactivations a run held for approval. */
export async function decideCommand(store: Store, approve: boolean, argv: string[], out: Out, services: AppServices = cliServices(store)): Promise<number> {
  const { values } = parse(argv, { run: { type: 'string' }, task: { type: 'string' } });
  const verb = approve ? 'approve' : 'reject';
  const runId = typeof values.run === 'string' ? id(values.run, '--run') : null;
  const taskId = typeof values.task === 'string' ? id(values.task, '--task') : null;
  const d = runId !== null ? await asCommand(() => services.tasks.decideRun(CLI_CALLER, runId, approve))
    : taskId !== null ? await asCommand(() => services.tasks.decide(CLI_CALLER, taskId, approve), { NOT_FOUND: `task ${taskId} is not waiting for approval` })
      : null;
  if (!d) throw new UsageError(`usage: ldapsync ${verb} --run ID | --task ID`);
  out(approve ? `${d.deactivated} users deactivated` : `${d.discarded} deactivations discarded`);
  return 0;
}
