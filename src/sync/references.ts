/** Referrals and continuation references: the subtree each one stands for. */

/** A DN at or under one of these bases (references name the subtree they stand for). */
export const under = (dn: string | null, bases: string[]): boolean => {
  const d = (dn ?? '').toLowerCase();
  return bases.some((b) => d === b || d.endsWith(`,${b}`));
};

/** The base DN a referral URL points to (ldap://host/DN?...), lower-cased. */
export const referenceBase = (uri: string): string | null => {
  try { return decodeURIComponent(new URL(uri).pathname.replace(/^\//, '')).toLowerCase() || null; } catch { return null; }
};
