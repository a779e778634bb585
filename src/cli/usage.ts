/** What each command takes: printed by `--help`, and after a mistake, as the line to follow. */
import { VERSION } from '../version.ts';

export const COMMAND_USAGE: Record<string, string[]> = {
  serve: ['serve [--role all|api|worker]        run the HTTP API (HOST, PORT; default 127.0.0.1:8080)'],
  admin: ['admin create NAME [--password-file F] [--domain-admin ID | --org-admin ID | --read-only]', 'admin password NAME [--password-file F]   a new password; ends its sessions and tokens'],
  org: ['org add NAME [--description TEXT]   add an organization', 'org list [--json]'],
  domain: ['domain add NAME [--org ID]           add a domain; prints its ID', 'domain list [--json]'],
  source: [
    'source set [--org ID] --file FILE [--no-test]  store a directory source (grommunio ldapConfig JSON), after a connection test',
    'source show [--org ID]                        show it (the bind password is never shown)',
    'source test [--org ID] [--file FILE]           bind and search with the stored source, or with FILE',
  ],
  sync: ['sync --domain ID [--import] [--lang L] [--dry-run] [--full] [--json]'],
  approve: ['approve --run ID | --task ID           carry out the deactivations a run held for approval'],
  reject: ['reject --run ID | --task ID            discard the deactivations a run held for approval'],
  keys: ['keys rotate                            new key for secrets at rest; re-encrypts them, retires the old key'],
  users: ['users list --domain ID [--json] [--limit N]'],
};

export const HELP = `usage: ldapsync COMMAND ...   (ldapsync COMMAND --help for one command; ldapsync --version)

${Object.values(COMMAND_USAGE).flat().map((line) => `  ${line}`).join('\n')}

Store: SQLite in LDAPSYNC_DATA_DIR (default ./data), or PostgreSQL when DATABASE_URL is set.`;

/** The usage lines of one command, for `--help` and after a usage error. */
export const usageOf = (command: string): string | null => {
  const lines = COMMAND_USAGE[command];
  return lines ? `usage: ${lines.map((l) => `ldapsync ${l}`).join('\n       ')}` : null;
};

/** True when the arguments ask for help (before a `--`, which ends the options). */
export const asksForHelp = (argv: string[]): boolean => {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

export const version = (): string => VERSION;
