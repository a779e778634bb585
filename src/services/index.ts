/** The application layer every door calls: one service per aggregate, over the same deps. */
import { DomainService } from './domains.ts';
import { OrganizationService } from './organizations.ts';
import { SourceService } from './sources.ts';
import { UserService } from './users.ts';
import { TaskService } from './tasks.ts';
import { SyncService } from './sync.ts';
import type { TaskQueue } from '../tasks/queue.ts';
import { SecondFactorService } from './second-factors.ts';
import { LoginThrottle } from '../auth/throttle.ts';
import type { Mailer } from '../auth/mailer.ts';
import type { ServiceDeps } from './deps.ts';
import { SessionService } from './sessions.ts';
import { SettingsService } from './settings.ts';
import { PermissionService } from './permissions.ts';
import { LdapToolService } from './ldap-tools.ts';
import { AuditService } from './audit.ts';
import { AccountService } from './accounts.ts';
import { signIn, type SignInResult } from './sign-in.ts';

type QueuePort = Pick<TaskQueue, 'cancel' | 'wait' | 'submit' | 'status'>;

const NO_QUEUE: QueuePort = {
  cancel: async () => { throw new Error('no task queue runs in this process'); },
  wait: async () => undefined,
  submit: async () => { throw new Error('no task queue runs in this process'); },
  status: async () => { throw new Error('no task queue runs in this process'); },
};

export interface AppServices {
  organizations: OrganizationService;
  domains: DomainService;
  sources: SourceService;
  users: UserService;
  tasks: TaskService;
  secondFactors: SecondFactorService;
  sync: SyncService;
  sessions: SessionService;
  settings: SettingsService;
  permissions: PermissionService;
  ldapTools: LdapToolService;
  audit: AuditService;
  accounts: AccountService;
  signIn: SignInDoor;
}

/** Password sign-in (a local account, else the directory), throttled; see `signIn`. */
export interface SignInDoor {
  password(login: string, password: string, address: string, options: { directory: boolean }): Promise<SignInResult>;
}

/** What sign-in and second factors need besides the store; the command line signs nobody in. */
export interface SignInParts { throttle: LoginThrottle; mailer: Mailer | null }

/** `queue` is the one that runs tasks; the command line, which cancels none, passes none. */
export function createServices(deps: ServiceDeps, queue: QueuePort = NO_QUEUE, signInParts: SignInParts = { throttle: new LoginThrottle(), mailer: null }): AppServices {
  const domains = new DomainService(deps);
  const organizations = new OrganizationService(deps);
  return {
    organizations, domains, sync: new SyncService(deps, queue, domains, organizations), sources: new SourceService(deps), users: new UserService(deps, domains), tasks: new TaskService(deps, queue),
    secondFactors: new SecondFactorService({ store: deps.store, ...signInParts }),
    sessions: new SessionService(deps.store), settings: new SettingsService(deps), permissions: new PermissionService(deps),
    ldapTools: new LdapToolService(deps, domains), audit: new AuditService(deps), accounts: new AccountService(deps),
    signIn: { password: (login, password, address, options) => signIn({ ...deps, throttle: signInParts.throttle }, login, password, address, options) },
  };
}
