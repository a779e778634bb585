/**
 * `ldapsync source set|show|test`: the directory source from the shell. `set` tests the
 * connection first, as the API does (`--no-test` skips it); `test` tries the stored source or a
 * file without saving anything.
 */
import { readFileSync } from 'node:fs';
import type { Store } from '../store/store.ts';
import { parseSource, publicSourceView, SourceConfigError, type DirectorySource } from '../directory/source.ts';
import { DirectoryError } from '../directory/errors.ts';
import { connect } from '../directory/client.ts';
import { LdapAdmin } from '../sync/ldap-admin.ts';
import { id, parse, UsageError } from './args.ts';
import type { AppServices } from '../services/index.ts';
import { asCommand, CLI_CALLER, cliServices } from './cli-services.ts';

type Out = (text: string) => void;

const sourceName = (orgId: number) => (orgId === 0 ? 'default directory source' : `directory source of organization ${orgId}`);

function readConfig(file: string): Record<string, unknown> {
  let config: unknown;
  try { config = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new UsageError(`cannot read ${file} as JSON: ${(e as Error).message}`); }
  return config as Record<string, unknown>;
}

function validated(config: unknown): DirectorySource {
  try { return parseSource(config); } catch (e) {
    if (e instanceof SourceConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** Binds and searches once; the sentence to print, or a DirectoryError saying what failed. */
async function tryConnection(store: Store, config: unknown): Promise<string> {
  const source = validated(config);
  await new LdapAdmin(store, (s) => connect(s)).test(config);
  const who = source.connection.bindUser ? `bound as ${source.connection.bindUser}` : 'anonymous bind';
  return `connection works: ${source.connection.servers.join(' ')} answered (${who}), a search under ${source.baseDn} succeeded`;
}

export async function sourceCommand(store: Store, argv: string[], out: Out, err: Out, services: AppServices = cliServices(store)): Promise<number> {
  const [action, ...rest] = argv;
  const { values } = parse(rest, { org: { type: 'string' }, file: { type: 'string' }, 'no-test': { type: 'boolean' } });
  const orgId = typeof values.org === 'string' ? id(values.org, '--org') : 0;
  if (orgId) await asCommand(() => services.organizations.visible(CLI_CALLER, orgId, 'admin'), { NOT_FOUND: `organization ${orgId} does not exist` });
  if (action === 'set') {
    if (typeof values.file !== 'string') throw new UsageError('--file FILE is required');
    const config = readConfig(values.file);
    validated(config);
    if (values['no-test'] !== true) {
      try {
        out(await tryConnection(store, config));
      } catch (e) {
        if (!(e instanceof DirectoryError)) throw e;
        err(`ldapsync: connection test failed, nothing saved: ${e.message}\n(fix the source, or save it anyway with --no-test)`);
        return 1;
      }
    }
    // Tested above (or skipped on purpose); the file is saved as it is, password and all.
    await asCommand(() => services.sources.save(CLI_CALLER, orgId, config, { force: true, keepStoredPassword: false }));
    out(`${sourceName(orgId)} saved`);
    return 0;
  }
  if (action === 'show') {
    const config = await services.sources.get(orgId);
    if (!config) throw new UsageError(`no ${sourceName(orgId)} is set (ldapsync source set --file FILE)`);
    out(JSON.stringify(publicSourceView(config), null, 2));
    return 0;
  }
  if (action === 'test') {
    const config = typeof values.file === 'string' ? readConfig(values.file) : await services.sources.get(orgId);
    if (!config) throw new UsageError(`no ${sourceName(orgId)} is set: give one with --file FILE`);
    try {
      out(await tryConnection(store, config));
      return 0;
    } catch (e) {
      if (!(e instanceof DirectoryError)) throw e;
      err(`ldapsync: connection test failed: ${e.message}`);
      return 1;
    }
  }
  throw new UsageError(action ? `unknown action '${action}'` : 'an action is required');
}
