/**
 * Group membership resolved in memory from one paged search of groups: a user's groups are the
 * groups naming it (by DN or posix uid) and, transitively, every group containing those.
 */
import type { DirectoryPort, GroupEntry } from '../directory/port.ts';
import type { SourceGroups } from '../directory/source.ts';
import { externIdHex } from '../domain/user.ts';

/** DNs compare without case and without spaces around separators. */
export const normalizeDn = (dn: string): string => dn.toLowerCase().replace(/\s*([,=+])\s*/g, '$1').trim();

export class GroupIndex {
  private readonly byMember = new Map<string, number[]>();
  private readonly byUid = new Map<string, number[]>();
  private readonly names: string[] = [];
  private readonly dns: string[] = [];
  private readonly ancestors = new Map<number, number[]>();
  private readonly byId = new Map<string, number>();
  private readonly roleMap: Record<string, string>;

  constructor(groups: GroupEntry[], roleMap: Record<string, string> = {}) {
    this.roleMap = Object.fromEntries(Object.entries(roleMap).map(([k, v]) => [k.includes('=') ? normalizeDn(k) : k, v]));
    groups.forEach((g, i) => { this.names.push(g.name); this.dns.push(normalizeDn(g.dn)); if (g.externId) this.byId.set(externIdHex(g.externId), i); });
    const push = (map: Map<string, number[]>, key: string, i: number) => { const list = map.get(key); if (list) list.push(i); else map.set(key, [i]); };
    groups.forEach((g, i) => {
      for (const m of g.members) push(this.byMember, normalizeDn(m), i);
      for (const uid of g.memberUids) push(this.byUid, uid.toLowerCase(), i);
    });
  }

  get size(): number { return this.names.length; }

  /** Names of the groups among these stable IDs (the groups a delta touched). */
  groupNamesAmong(ids: Uint8Array[]): Set<string> {
    const out = new Set<string>();
    for (const id of ids) { const g = this.byId.get(externIdHex(id)); if (g !== undefined) out.add(this.names[g]!); }
    return out;
  }

  /** The group and every group containing it, nested to any depth; cycles are safe. */
  private closure(start: number): number[] {
    const cached = this.ancestors.get(start);
    if (cached) return cached;
    const seen = new Set<number>([start]);
    const queue = [start];
    while (queue.length) {
      const g = queue.shift()!;
      for (const parent of this.byMember.get(this.dns[g]!) ?? []) if (!seen.has(parent)) { seen.add(parent); queue.push(parent); }
    }
    const result = [...seen];
    this.ancestors.set(start, result);
    return result;
  }

  /** Sorted names of the user's groups, nested ones included. */
  groupsOf(dn: string, uid?: string): number[] {
    const direct = [...(this.byMember.get(normalizeDn(dn)) ?? []), ...(uid ? this.byUid.get(uid.toLowerCase()) ?? [] : [])];
    const all = new Set<number>();
    for (const g of direct) for (const a of this.closure(g)) all.add(a);
    return [...all];
  }

  namesOf(groups: number[]): string[] {
    return [...new Set(groups.map((g) => this.names[g]!))].sort();
  }

  rolesOf(groups: number[]): string[] {
    const roles = new Set<string>();
    for (const g of groups) {
      const role = this.roleMap[this.names[g]!] ?? this.roleMap[this.dns[g]!];
      if (role) roles.add(role);
    }
    return [...roles].sort();
  }

  /** DNs of users (and groups) that are members of these groups, directly or through nesting. */
  membersOf(groupNames: Set<string>): string[] {
    const out: string[] = [];
    for (const [member, groups] of this.byMember) {
      if (groups.some((g) => this.closure(g).some((a) => groupNames.has(this.names[a]!)))) out.push(member);
    }
    return out;
  }
}

export async function loadGroups(directory: DirectoryPort, settings: SourceGroups): Promise<GroupIndex> {
  const groups: GroupEntry[] = [];
  for await (const page of directory.groups()) groups.push(...page);
  return new GroupIndex(groups, settings.roleMap);
}
