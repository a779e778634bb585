/** The `ldapsync` command line: serve, sync and the admin objects. */
import { loadConfig } from './config.ts';
import { openStore } from './store/store.ts';
import { UsageError } from './cli/args.ts';
import { adminCommand, decideCommand, domainCommand, orgCommand, sourceCommand, usersCommand } from './cli/admin-commands.ts';
import { readSecret } from './cli/read-secret.ts';
import { keysCommand } from './cli/keys-command.ts';
import { syncCommand } from './cli/sync-command.ts';

const HELP = `usage: ldapsync COMMAND ...

  serve                                  run the HTTP API (PORT, default 8080)
  admin create NAME [--password-file F] [--domain-admin ID | --org-admin ID | --read-only]
  org add NAME | org list                organizations
  domain add NAME [--org ID] | domain list
  source set [--org ID] --file FILE      store a directory source (grommunio ldapConfig JSON)
  source show [--org ID]                 show it (the bind password is never shown)
  sync --domain ID [--import] [--lang L] [--dry-run] [--full] [--json]
  approve|reject --run ID | --task ID    decide deactivations held by the threshold
  keys rotate                            new key for secrets at rest; re-encrypts them, retires the old key
  users list --domain ID [--json]

Store: SQLite in LDAPSYNC_DATA_DIR (default ./data), or PostgreSQL when DATABASE_URL is set.`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  if (command === 'serve') {
    const { serve } = await import('./api/serve.ts');
    return serve(config, rest);
  }
  if (command === 'keys') return keysCommand(config, rest, (text) => { process.stdout.write(`${text}\n`); });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, keyFile: config.secretKeyFile });
  const out = (text: string) => { process.stdout.write(`${text}\n`); };
  try {
    switch (command) {
      case 'org': return await orgCommand(store, rest, out);
      case 'domain': return await domainCommand(store, rest, out);
      case 'source': return await sourceCommand(store, rest, out);
      case 'users': return await usersCommand(store, rest, out);
      case 'admin': return await adminCommand(store, rest, out, () => readSecret('password: '));
      case 'approve': return await decideCommand(store, true, rest, out);
      case 'reject': return await decideCommand(store, false, rest, out);
      case 'sync': return await syncCommand(store, rest, { out, err: process.stderr });
      default: throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
    }
  } finally {
    await store.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UsageError) console.error(`ldapsync: ${e.message}`);
    else console.error('ldapsync: failed:', e);
    process.exitCode = 2;
  },
);
