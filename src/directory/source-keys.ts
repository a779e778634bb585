/**
 * The keys a directory source may have, and what to say about any other: a misspelt key
 * ("fitler", "pagesize") must not be stored and silently replaced by a default. The list is
 * grommunio's ldapConfig (so its own clients keep working) plus ldapsync's additions.
 */

/** Each section's keys; `*` marks a map whose keys are the administrator's own. */
const KNOWN: Record<string, readonly string[]> = {
  '': ['disabled', 'vendor', 'connection', 'baseDn', 'objectID', 'users', 'groups', 'pageSize', 'deactivateGone', 'threshold', 'deleteAfterDays',
    'delta', 'fullSyncEveryHours', 'clockSkewSeconds', 'schedule', 'scheduleImport', 'mergeExistingUsers', 'syncAvatars', 'avatarAttribute',
    'avatarMaxBytes', 'avatarMaxPixels'],
  connection: ['server', 'bindUser', 'bindPass', 'starttls', 'caFile', 'caPem', 'tlsVerify', 'connectTimeout', 'timeout'],
  // contactFilter: admin-web's form sends it (grommunio's contacts); stored, not used here.
  users: ['username', 'displayName', 'filter', 'contactFilter', 'filters', 'searchAttributes', 'attributes', 'templates', 'aliases', 'defaultQuota', 'disabledFilter'],
  groups: ['enabled', 'filter', 'groupfilter', 'groupname', 'groupMemberAttr', 'groupaddr', 'roleMap'],
  threshold: ['percent', 'count'],
};

/** Edit distance with adjacent swaps counted once ("fitler" is one step from "filter"). */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

const allPaths = (): string[] => Object.entries(KNOWN).flatMap(([section, keys]) => keys.map((k) => (section ? `${section}.${k}` : k)));

/** The known key closest to `key`: in its own section first, then anywhere (a key put one level off). */
function suggestion(section: string, key: string): string | null {
  const lower = key.toLowerCase();
  const near = (candidates: string[], last: (c: string) => string) => {
    let best: string | null = null;
    let bestDistance = Infinity;
    for (const c of candidates) {
      const name = last(c).toLowerCase();
      const dist = name === lower ? 0 : distance(lower, name);
      if (dist < bestDistance) { best = c; bestDistance = dist; }
    }
    return best !== null && bestDistance <= Math.max(1, Math.min(2, Math.floor(key.length / 3))) ? best : null;
  };
  const own = near([...(KNOWN[section] ?? [])], (c) => c);
  if (own) return section ? `${section}.${own}` : own;
  return near(allPaths(), (p) => p.split('.').pop()!);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One message per key nobody reads, e.g. "users.fitler is not a known key; did you mean users.filter?". */
export function unknownSourceKeys(input: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const check = (section: string, value: unknown) => {
    if (!isObject(value)) return;
    const known = KNOWN[section]!;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const path = section ? `${section}.${key}` : key;
      const hint = suggestion(section, key);
      problems.push(`${path} is not a known key${hint && hint !== path ? `; did you mean ${hint}?` : ''}`);
    }
  };
  check('', input);
  for (const section of ['connection', 'users', 'groups', 'threshold']) check(section, input[section]);
  return problems;
}
