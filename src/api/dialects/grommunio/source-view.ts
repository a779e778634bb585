/**
 * The stored directory source as admin-web reads it: `disabled` always present (it shows the LDAP
 * switch off when the field is missing) and the four `groups` fields filled with what the sync
 * uses (it otherwise writes its own defaults with an automatic PUT ?force=true on first visit).
 */
import { parseSource, publicSourceView } from '../../../directory/source.ts';

type Json = Record<string, unknown>;

/** What admin-web would write for a missing field, where ldapsync has no setting of its own. */
const GROUP_MEMBER_ATTRIBUTE = 'memberOf';
const GROUP_ADDRESS_ATTRIBUTE = 'mail';

const effectiveGroups = (config: Json) => {
  try { return parseSource(config).groups; } catch { return null; }
};

export function grommunioSourceView(config: Json): Json {
  const view = publicSourceView(config);
  const stored = (view.groups ?? {}) as Json;
  const groups = effectiveGroups(config);
  return {
    ...view,
    disabled: config.disabled === true,
    groups: {
      groupMemberAttr: GROUP_MEMBER_ATTRIBUTE, groupaddr: GROUP_ADDRESS_ATTRIBUTE,
      ...(groups ? { groupfilter: groups.filter, groupname: groups.nameAttribute, enabled: groups.enabled } : {}),
      ...stored,
    },
  };
}

/**
 * admin-web saves the groups form without `enabled`; whether groups are synced then stays as it
 * was, rather than being switched on because the form carried the (shown) default filter.
 */
export function keepGroupSwitch(next: Json, stored: Json | undefined): Json {
  const groups = next.groups;
  if (!stored || !groups || typeof groups !== 'object' || Array.isArray(groups) || 'enabled' in groups) return next;
  const before = effectiveGroups(stored);
  return before ? { ...next, groups: { ...groups, enabled: before.enabled } } : next;
}
