/** The `ldapsync` command line: serve, sync and the admin objects. */
import { loadConfig } from './config.ts';
import { openStore } from './open-store.ts';
import { UsageError } from './cli/args.ts';
import { adminCommand, decideCommand, domainCommand, orgCommand, usersCommand } from './cli/admin-commands.ts';
import { sourceCommand } from './cli/source-command.ts';
import { cliServices } from './cli/cli-services.ts';
import { readSecret } from './cli/read-secret.ts';
import { keysCommand } from './cli/keys-command.ts';
import { syncCommand } from './cli/sync-command.ts';
import { asksForHelp, HELP, usageOf, version } from './cli/usage.ts';
import { keepSyncGarbageYoung } from './tasks/sync-heap.ts';

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-V') {
    console.log(`ldapsync ${version()}`);
    return 0;
  }
  const usage = usageOf(command);
  if (!usage) throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
  // Help is answered before anything is opened or read: asking is never a side effect.
  if (asksForHelp(rest)) {
    console.log(usage);
    return 0;
  }
  try {
    return await run(command, rest);
  } catch (e) {
    if (e instanceof UsageError && !e.message.includes('usage:')) throw new UsageError(`${e.message}\n${usage}`);
    throw e;
  }
}

async function run(command: string, rest: string[]): Promise<number> {
  const config = loadConfig();
  if (command === 'serve') {
    const { serve } = await import('./serve.ts');
    return serve(config, rest);
  }
  if (command === 'keys') return keysCommand(config, rest, (text) => { process.stdout.write(`${text}\n`); });
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, keyFile: config.secretKeyFile });
  const out = (text: string) => { process.stdout.write(`${text}\n`); };
  const services = cliServices(store, config);
  try {
    switch (command) {
      case 'org': return await orgCommand(store, rest, out, services);
      case 'domain': return await domainCommand(store, rest, out, services);
      case 'source': return await sourceCommand(store, rest, out, (text) => { process.stderr.write(`${text}\n`); }, services);
      case 'users': return await usersCommand(store, rest, out, services);
      case 'admin': return await adminCommand(store, rest, out, (prompt) => readSecret(prompt), process.stdin.isTTY === true, services);
      case 'approve': return await decideCommand(store, true, rest, out, services);
      case 'reject': return await decideCommand(store, false, rest, out, services);
      case 'sync': return await syncCommand(services, rest, { out, err: process.stderr });
      default: throw new UsageError(`unknown command '${command}'\n\n${HELP}`);
    }
  } finally {
    await store.close();
  }
}

// `ldapsync users list --json | head`: the reader went away; that ends the output, not in a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

keepSyncGarbageYoung();
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof UsageError) console.error(`ldapsync: ${e.message}`);
    else console.error('ldapsync: failed:', e);
    process.exitCode = 2;
  },
);
