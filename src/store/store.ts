/** The store: one object with a repository per aggregate, and transactions that scope them all. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { openDatabase, type Dialect, type StoreLocation } from './database.ts';
import type { SecretCipher } from '../domain/secret-cipher.ts';
import type { CommitGroup } from './commit-group.ts';
import { OrganizationRepository } from './repositories/organizations.ts';
import { DomainRepository } from './repositories/domains.ts';
import { SourceRepository } from './repositories/sources.ts';
import { UserRepository } from './repositories/users.ts';
import { TaskRepository } from './repositories/tasks.ts';
import { RunRepository } from './repositories/runs.ts';
import { AuditRepository } from './repositories/audit.ts';
import { AccountRepository } from './repositories/accounts.ts';
import { SyncStateRepository } from './repositories/sync-state.ts';
import { SyncLockRepository } from './repositories/sync-locks.ts';
import { AvatarRepository } from './repositories/avatars.ts';
import { SessionRepository } from './repositories/sessions.ts';
import { SettingRepository } from './repositories/settings.ts';

export class Store {
  readonly dialect: Dialect;
  readonly organizations: OrganizationRepository;
  readonly domains: DomainRepository;
  readonly sources: SourceRepository;
  readonly users: UserRepository;
  readonly tasks: TaskRepository;
  readonly runs: RunRepository;
  readonly audit: AuditRepository;
  readonly accounts: AccountRepository;
  readonly syncState: SyncStateRepository;
  readonly syncLocks: SyncLockRepository;
  readonly avatars: AvatarRepository;
  readonly sessions: SessionRepository;
  readonly settings: SettingRepository;
  private readonly db: Kysely<Database>;
  private readonly closeFn: () => Promise<void>;

  private readonly cipher: SecretCipher;
  /**
   * Where this store was opened from, so that another thread can open the same one with the same
   * key ring; null when that cannot be done (a transaction, or a cipher handed in by the caller).
   */
  readonly location: StoreReopen | null;
  /** SQLite, on a connection that is a sync's own: commits its runs take together; else null. */
  readonly commitGroup: CommitGroup | null;

  constructor(db: Kysely<Database>, dialect: Dialect, close: () => Promise<void>, cipher: SecretCipher, location: StoreReopen | null = null, commitGroup: CommitGroup | null = null) {
    this.cipher = cipher;
    this.location = location;
    this.commitGroup = commitGroup;
    this.db = db;
    this.dialect = dialect;
    this.closeFn = close;
    this.organizations = new OrganizationRepository(db);
    this.domains = new DomainRepository(db);
    this.sources = new SourceRepository(db, cipher);
    this.users = new UserRepository(db, dialect);
    this.tasks = new TaskRepository(db, dialect);
    this.runs = new RunRepository(db, dialect);
    this.audit = new AuditRepository(db);
    this.accounts = new AccountRepository(db, cipher);
    this.syncState = new SyncStateRepository(db);
    this.syncLocks = new SyncLockRepository(db);
    this.avatars = new AvatarRepository(db);
    this.sessions = new SessionRepository(db);
    this.settings = new SettingRepository(db);
  }

  /** Runs `work` in one transaction: everything it writes lands together or not at all. */
  transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Store(trx, this.dialect, async () => undefined, this.cipher)));
  }

  close(): Promise<void> {
    return this.closeFn();
  }
}

/** What `openStore` needs to open a store again elsewhere (plain data: it crosses to a worker thread). */
export type StoreReopen = StoreLocation & { keyFile: string | null };

/**
 * Opens the store; its secrets are sealed with `cipher`, which the caller loads (the composition
 * roots use `openStore` in src/open-store.ts, which reads the data folder's key ring). `reopen`,
 * when given, tells another thread how to open the same store itself.
 */
export async function openStoreWith(location: StoreLocation & { cipher: SecretCipher; reopen?: StoreReopen | null }): Promise<Store> {
  const { db, dialect, close, commitGroup } = await openDatabase(location);
  return new Store(db, dialect, close, location.cipher, location.reopen ?? null, commitGroup);
}
