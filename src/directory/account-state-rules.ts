/**
 * What an entry's own attributes say of its account: each rule reads one attribute and names why
 * the account is synced as deactivated, or says nothing. Which rules a source checks, and in
 * which order, is its vendor preset's (presets.ts).
 */

type Values = ReadonlyArray<string | Buffer> | undefined;

export interface AccountStateRule {
  /** The attribute read (asked of the server with every user entry). */
  attribute: string;
  /** Why the account is deactivated, given the attribute's values (undefined: absent); null: this rule has no objection. */
  disabled(values: Values): string | null;
}

/** userAccountControl's ACCOUNTDISABLE bit. */
const ACCOUNTDISABLE = 2;

export const ACCOUNT_STATE_RULES = {
  userAccountControl: {
    attribute: 'userAccountControl',
    disabled: (values) => {
      const uac = values?.[0];
      return uac !== undefined && (Number(uac.toString()) & ACCOUNTDISABLE) === ACCOUNTDISABLE ? 'account disabled in Active Directory (userAccountControl)' : null;
    },
  },
  // Locked by the password policy (OpenLDAP's ppolicy, draft-behera): any value means locked.
  pwdAccountLockedTime: {
    attribute: 'pwdAccountLockedTime',
    disabled: (values) => (values !== undefined ? 'account locked by password policy (pwdAccountLockedTime)' : null),
  },
  nsAccountLock: {
    attribute: 'nsAccountLock',
    disabled: (values) => (String(values?.[0] ?? '').toLowerCase() === 'true' ? 'account locked (nsAccountLock)' : null),
  },
} as const satisfies Record<string, AccountStateRule>;
