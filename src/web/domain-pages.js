// The console's pages of one domain: the sync form with its preview (the plan, nothing
// written) and the run it starts, and the domain's users with their directory entries.
// The app's API client and page frame come in as arguments (no import cycle).
import { t as tr } from './i18n.js';
import { errorBox, fill, h, pager, readableLdif, table, when } from './dom.js';

function changeList(p) {
  if (p.action === 'create') return h('span', {}, `new user ${p.displayName ?? ''}`, p.reason ? ` (${p.reason})` : '');
  if (!p.changes) return p.reason ?? '';
  return h('ul', {}, p.changes.map((c) => h('li', {}, `${c.field}: `, h('del', {}, c.from || '∅'), ' → ', h('ins', {}, c.to || '∅'))), p.reason ? h('li', {}, `why: ${p.reason}`) : null);
}

export async function domainSyncPage({ api, page, announce }, id) {
  let domain;
  try { domain = (await api('GET', `/system/domains/${id}`)).data; } catch (e) { page(tr('Domain'), errorBox(e)); return; }
  const result = h('section', { 'aria-live': 'polite' });
  const form = h('form', { class: 'stack' },
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'import' }), tr('Import new users found in the directory')),
    h('label', {}, tr('Language for new users'), h('input', { type: 'text', name: 'lang', placeholder: tr('e.g. de_DE'), pattern: '[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*' }), h('span', { class: 'hint' }, tr('Applies to users created by this run only.'))),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'full' }), tr('Full reconcile (read the whole directory, not only the changes)')),
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => preview() }, tr('Preview')),
      h('button', { type: 'button', class: 'primary', onclick: () => syncNow() }, tr('Sync now'))));
  const options = () => {
    const fd = new FormData(form);
    const q = new URLSearchParams({ import: fd.get('import') ? 'true' : 'false', lang: fd.get('lang') ?? '' });
    if (fd.get('full')) q.set('full', 'true');
    return q;
  };
  async function preview() {
    fill(result, h('p', { class: 'muted' }, tr('Computing the plan; nothing is written…')));
    try {
      const { data } = await api('POST', `/domains/${id}/ldap/downsync?${options()}&dryRun=true`);
      const c = data.counts;
      fill(result, 
        h('h2', {}, tr('Plan')),
        h('p', {}, `${tr('Nothing has been written.')} ${data.mode === 'full' ? 'Full run' : `Delta run (${data.mode.split(':')[1]})`}: ${data.message}`),
        h('div', { class: 'cards' }, [['create', c.created], ['update', c.updated], ['move or rename', c.moved], ['deactivate', c.deactivated], ['reactivate', c.reactivated], ['conflict', c.conflicts], ['invalid', c.invalid], ['unchanged', c.unchanged]]
          .map(([k, v]) => h('div', { class: 'card' }, h('b', {}, String(v)), k))),
        table(tr('What this run would do'), ['Action', tr('User'), tr('What changes, and why')], data.plan.map((p) => [h('span', { class: `badge ${p.action === 'deactivate' || p.action === 'conflict' || p.action === 'invalid' ? 'warn' : 'ok'}` }, p.action), p.username, changeList(p)]), { empty: tr('Nothing would change.') }),
        h('div', { class: 'row' }, h('button', { class: 'primary', type: 'button', onclick: () => syncNow() }, tr('Apply'))));
      announce(`Plan ready: ${data.plan.length} changes.`);
    } catch (e) { fill(result, errorBox(e)); }
  }
  async function syncNow() {
    try {
      const { data } = await api('POST', `/domains/${id}/ldap/downsync?${options()}&timeout=0`);
      location.hash = `#/task/${data.taskID}`;
    } catch (e) { fill(result, errorBox(e)); }
  }
  page(`Sync ${domain.domainname}`, form, result);
}

export async function domainUsersPage({ api, page }, id) {
  let domain;
  try { domain = (await api('GET', `/system/domains/${id}`)).data; } catch (e) { page(tr('Users'), errorBox(e)); return; }
  const search = h('input', { type: 'search', placeholder: tr('Search by name or address') });
  const statusFilter = h('select', { 'aria-label': tr('Status') }, h('option', { value: '' }, tr('Any status')), h('option', { value: '0' }, tr('active')), h('option', { value: '1' }, tr('deactivated')));
  const PAGE = 200;
  let offset = 0;
  const list = h('section', { 'aria-live': 'polite' });
  const dialog = h('dialog', { 'aria-label': tr('Directory entry') });
  document.body.append(dialog);
  async function load() {
    try {
      const q = new URLSearchParams({ limit: String(PAGE), offset: String(offset), match: search.value });
      if (statusFilter.value) q.set('status', statusFilter.value);
      const { data } = await api('GET', `/domains/${id}/users?${q}`);
      const count = data.count ?? data.data.length;
      const summary = count > data.data.length ? `${offset + 1}–${offset + data.data.length} of ${count} users` : `${data.data.length} of ${count} users`;
      fill(list, h('p', { class: 'muted' }, summary),
        count > PAGE ? pager(offset > 0, offset + PAGE < count, (step) => { offset = Math.max(0, offset + step * PAGE); load(); }, 'users') : null,
        table(`Users of ${domain.domainname}`, [tr('User'), tr('Name'), tr('Status'), tr('Source'), tr('Last synced'), tr('Actions')], data.data.map((u) => [
        h('span', { class: 'person' }, h('img', { class: 'avatar', src: u.avatar?.url ?? `/avatar/${encodeURIComponent(u.username)}`, alt: '', width: 24, height: 24, loading: 'lazy' }), u.username),
        u.properties.displayname ?? '',
        h('span', { class: `badge ${u.status === 0 ? 'ok' : 'warn'}`, title: u.statusReason ?? '' }, u.status === 0 ? 'active' : `deactivated${u.statusReason ? `: ${u.statusReason}` : ''}`),
        u.ldapID ? 'directory' : 'local', when(u.lastSynced),
        h('div', { class: 'row' },
          u.ldapID ? h('button', { type: 'button', onclick: async () => {
            try {
              const { data: d } = await api('GET', `/domains/ldap/dump?ID=${encodeURIComponent(u.ldapID)}&domain=${id}`);
              fill(dialog, h('h2', {}, `Directory entry of ${u.username}`), h('pre', {}, readableLdif(d.data)), h('form', { method: 'dialog' }, h('button', {}, tr('Close'))));
            } catch (e) { fill(dialog, errorBox(e), h('form', { method: 'dialog' }, h('button', {}, tr('Close')))); }
            dialog.showModal();
          } }, `Entry of ${u.username}`) : null,
          u.ldapID ? h('button', { type: 'button', class: 'danger', onclick: async () => {
            if (!confirm(`Detach ${u.username} from the directory? It becomes a local user.`)) return;
            await api('PATCH', `/domains/${id}/users/${u.ID}`, { json: { ldapID: null } });
            load();
          } }, `Detach ${u.username}`) : null),
      ])));
    } catch (e) { fill(list, errorBox(e)); }
  }
  search.addEventListener('input', () => { clearTimeout(search.timer); search.timer = setTimeout(() => { offset = 0; load(); }, 250); });
  statusFilter.addEventListener('change', () => { offset = 0; load(); });
  page(`Users of ${domain.domainname}`, h('div', { class: 'row' }, h('label', {}, tr('Search'), search), h('label', {}, tr('Status'), statusFilter)), list);
  await load();
}
