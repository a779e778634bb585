/** `ldapsync org|domain|source|users ...`: the directory's admin objects from the shell. */
import { readFileSync } from 'node:fs';
import type { Store } from '../store/store.ts';
import { parseSource, publicSourceView, SourceConfigError } from '../directory/source.ts';
import { id, parse, requiredId, table, UsageError } from './args.ts';
import { createAdmin } from '../auth/admins.ts';
import { decideRun, decideTask, NothingToDecide } from '../tasks/approval.ts';

type Out = (text: string) => void;

export async function orgCommand(store: Store, argv: string[], out: Out): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, { json: { type: 'boolean' }, description: { type: 'string' } });
  if (action === 'add') {
    if (!positionals[0]) throw new UsageError('usage: ldapsync org add NAME [--description TEXT]');
    const org = await store.organizations.create(positionals[0], (values.description as string) ?? '');
    out(String(org.id));
    return 0;
  }
  if (action === 'list') {
    const orgs = await store.organizations.list();
    out(values.json ? JSON.stringify(orgs, null, 2) : table(['ID', 'NAME', 'DESCRIPTION'], orgs.map((o) => [o.id, o.name, o.description])));
    return 0;
  }
  throw new UsageError('usage: ldapsync org add NAME | org list [--json]');
}

export async function domainCommand(store: Store, argv: string[], out: Out): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, { org: { type: 'string' }, json: { type: 'boolean' } });
  if (action === 'add') {
    const name = positionals[0];
    if (!name || !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(name)) throw new UsageError('usage: ldapsync domain add NAME [--org ID] (NAME is a domain name such as example.org)');
    const orgId = typeof values.org === 'string' ? id(values.org, '--org') : 0;
    if (orgId && !(await store.organizations.get(orgId))) throw new UsageError(`organization ${orgId} does not exist`);
    if (await store.domains.byName(name)) throw new UsageError(`domain ${name} exists already`);
    const domain = await store.domains.create({ name, orgId });
    await store.audit.record({ actor: 'cli', action: 'domain.create', targetType: 'domain', targetId: String(domain.id), before: null, after: domain });
    out(String(domain.id));
    return 0;
  }
  if (action === 'list') {
    const domains = await store.domains.list();
    out(values.json ? JSON.stringify(domains, null, 2) : table(['ID', 'NAME', 'ORG'], domains.map((d) => [d.id, d.name, d.orgId])));
    return 0;
  }
  throw new UsageError('usage: ldapsync domain add NAME [--org ID] | domain list [--json]');
}

export async function sourceCommand(store: Store, argv: string[], out: Out): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parse(rest, { org: { type: 'string' }, file: { type: 'string' } });
  const orgId = typeof values.org === 'string' ? id(values.org, '--org') : 0;
  if (action === 'set') {
    if (typeof values.file !== 'string') throw new UsageError('usage: ldapsync source set [--org ID] --file FILE');
    let config: unknown;
    try { config = JSON.parse(readFileSync(values.file, 'utf8')); } catch (e) { throw new UsageError(`cannot read ${values.file} as JSON: ${(e as Error).message}`); }
    try { parseSource(config); } catch (e) {
      if (e instanceof SourceConfigError) throw new UsageError(e.message);
      throw e;
    }
    if (orgId && !(await store.organizations.get(orgId))) throw new UsageError(`organization ${orgId} does not exist`);
    const before = await store.sources.get(orgId);
    await store.sources.set(orgId, config as Record<string, unknown>);
    await store.audit.record({ actor: 'cli', action: 'source.set', targetType: 'source', targetId: String(orgId), before: before && publicSourceView(before), after: publicSourceView(config as Record<string, unknown>) });
    out(`directory source ${orgId === 0 ? 'default' : `of organization ${orgId}`} saved`);
    return 0;
  }
  if (action === 'show') {
    const config = await store.sources.get(orgId);
    if (!config) throw new UsageError(`no directory source ${orgId === 0 ? 'is set' : `for organization ${orgId}`}`);
    out(JSON.stringify(publicSourceView(config), null, 2));
    return 0;
  }
  throw new UsageError('usage: ldapsync source set [--org ID] --file FILE | source show [--org ID]');
}

export async function usersCommand(store: Store, argv: string[], out: Out): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parse(rest, { domain: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
  if (action !== 'list') throw new UsageError('usage: ldapsync users list --domain ID [--json]');
  const domainId = requiredId(values.domain, '--domain');
  if (!(await store.domains.get(domainId))) throw new UsageError(`domain ${domainId} does not exist`);
  const limit = typeof values.limit === 'string' ? id(values.limit, '--limit') : 1_000_000;
  const { users } = await store.users.list({ domainId, limit, offset: 0 });
  if (values.json) {
    out(JSON.stringify(users.map((u) => ({ ...u, externId: u.externId ? Buffer.from(u.externId).toString('hex') : null })), null, 2));
  } else {
    out(table(['ID', 'USERNAME', 'NAME', 'STATUS', 'LINKED', 'DN'], users.map((u) => [u.id, u.username, u.displayName, u.status, u.externId ? 'yes' : 'no', u.dn ?? ''])));
  }
  return 0;
}

/** `ldapsync admin create NAME [--password-file F] [--domain-admin ID]`; the password is read, never a flag. */
export async function adminCommand(store: Store, argv: string[], out: Out, readPassword: () => Promise<string>): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = parse(rest, { 'password-file': { type: 'string' }, 'domain-admin': { type: 'string' }, 'org-admin': { type: 'string' }, 'read-only': { type: 'boolean' } });
  if (action !== 'create' || !positionals[0]) throw new UsageError('usage: ldapsync admin create NAME [--password-file FILE] [--domain-admin ID | --org-admin ID | --read-only]');
  const password = typeof values['password-file'] === 'string' ? readFileSync(values['password-file'], 'utf8').trim() : await readPassword();
  const grants = typeof values['domain-admin'] === 'string' ? [{ permission: 'DomainAdmin', param: String(id(values['domain-admin'], '--domain-admin')) }]
    : typeof values['org-admin'] === 'string' ? [{ permission: 'OrgAdmin', param: String(id(values['org-admin'], '--org-admin')) }]
      : values['read-only'] ? [{ permission: 'SystemAdminRO', param: '' }] : [{ permission: 'SystemAdmin', param: '' }];
  try {
    out(String(await createAdmin(store, positionals[0], password, grants)));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return 0;
}

/** `ldapsync approve|reject --run ID | --task ID`: decide deactivations a run held for approval. */
export async function decideCommand(store: Store, approve: boolean, argv: string[], out: Out): Promise<number> {
  const { values } = parse(argv, { run: { type: 'string' }, task: { type: 'string' } });
  const verb = approve ? 'approve' : 'reject';
  try {
    const d = typeof values.run === 'string' ? await decideRun(store, id(values.run, '--run'), approve, 'cli')
      : typeof values.task === 'string' ? await decideTask(store, id(values.task, '--task'), approve, 'cli')
        : null;
    if (!d) throw new UsageError(`usage: ldapsync ${verb} --run ID | --task ID`);
    out(approve ? `${d.deactivated} users deactivated` : `${d.discarded} deactivations discarded`);
    return 0;
  } catch (e) {
    if (e instanceof NothingToDecide) throw new UsageError(e.message);
    throw e;
  }
}
