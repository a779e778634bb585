// The ldapsync console: plain ES modules over the public API (/api/v1), no build step.
// Data is only ever put into the page as text, never as HTML.

import { LANG, t as tr } from './i18n.js';
import { codeClass, duration, errorBox, fill, h, pager, readableLdif, table, text, when } from './dom.js';
import { sourcePage } from './source-form.js';

const API = '/api/v1';
const STATES = { 0: tr('queued'), 1: tr('loaded'), 2: tr('running'), 3: tr('completed'), 4: tr('error'), 5: tr('cancelled'), 6: tr('waiting for approval') };
const main = document.getElementById('main');
let profile = null;
let pollTimer = null;

// ---- DOM and API helpers -------------------------------------------------------------------

function announce(text) { document.getElementById('announce').textContent = text; }

class ApiError extends Error {
  constructor(status, body) { super(body?.message ?? `HTTP ${status}`); this.status = status; this.body = body; }
}

async function api(method, path, { json, form } = {}) {
  const headers = {};
  if (method !== 'GET') headers['X-Csrf-Token'] = sessionStorage.getItem('csrf') ?? '';
  let body;
  if (json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(json); }
  if (form) { headers['content-type'] = 'application/x-www-form-urlencoded'; body = new URLSearchParams(form).toString(); }
  const res = await fetch(API + path, { method, headers, body, credentials: 'same-origin' });
  const text = await res.text();
  let data;
  try { data = text ? JSON.parse(text) : null; } catch { data = { message: text }; }
  if (res.status === 401 && path !== '/login') {
    // Only someone who was signed in has a session that ended; a first visit just signs in.
    const hadSession = profile !== null;
    profile = null;
    renderLogin(hadSession ? 'Your session ended; please sign in again.' : undefined);
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return { status: res.status, data };
}

/** Names for the IDs the API gives: domains always, organizations when the caller may list them. */
async function names() {
  const [domains, orgs] = await Promise.all([
    api('GET', '/domains').then(({ data }) => data.data, () => []),
    api('GET', '/system/orgs').then(({ data }) => data.data ?? data, () => []),
  ]);
  return { domain: new Map(domains.map((d) => [d.ID, d.domainname])), org: new Map((Array.isArray(orgs) ? orgs : []).map((o) => [o.ID, o.name])) };
}
const orgLabel = (n, id) => (id === 0 ? 'Default' : n.org.get(id) ?? `Organization ${id}`);

const stateBadge = (s) => h('span', { class: `badge ${s === 3 ? 'ok' : s === 4 ? 'bad' : s === 6 || s === 5 ? 'warn' : ''}` }, STATES[s] ?? String(s));

function page(title, ...content) {
  clearInterval(pollTimer);
  fill(main, h('h1', {}, title), ...content);
  document.title = `${title} · ldapsync`;
  main.focus();
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', location.hash.startsWith(a.getAttribute('href')));
  for (const a of document.querySelectorAll('nav a[aria-current]')) a.setAttribute('aria-current', 'page');
}

// ---- Sign-in ----------------------------------------------------------------------------------

function renderLogin(message) {
  document.getElementById('nav').hidden = true;
  document.getElementById('who').hidden = true;
  const status = h('div', { 'aria-live': 'assertive' }, message ? h('p', { class: 'notice warn' }, message) : null);
  const form = h('form', { class: 'stack', onsubmit: async (ev) => {
    ev.preventDefault();
    const fd = new FormData(form);
    try {
      const { data } = await api('POST', '/login', { form: { user: fd.get('user'), pass: fd.get('pass'), ...(fd.get('code') ? { code: fd.get('code') } : {}) } });
      sessionStorage.setItem('csrf', data.csrf);
      await start();
    } catch (e) {
      const secondFactor = e.status === 401 && /second factor|code/.test(String(e.body?.error ?? ''));
      fill(status, errorBox(e.status === 401 ? new Error(secondFactor ? tr('This account has a second factor: enter its code too (or the code was wrong).') : tr('Wrong user name or password.')) : e));
    }
  } },
  h('label', {}, tr('User name'), h('input', { type: 'text', name: 'user', autocomplete: 'username', required: true })),
  h('label', {}, tr('Password'), h('input', { type: 'password', name: 'pass', autocomplete: 'current-password', required: true })),
  h('label', {}, tr('Code'), h('input', { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric' }), h('span', { class: 'hint' }, tr('Only for an account with a second factor: the code from its authenticator app or mail.'))),
  h('div', {}, h('button', { class: 'primary', type: 'submit' }, tr('Sign in'))));
  page(tr('Sign in'), status, form);
  form.querySelector('input').focus();
}

async function start() {
  try { profile = (await api('GET', '/profile')).data; } catch { return; }
  const caps = profile.capabilities;
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = `${tr('Signed in as')} ${profile.user.username}`;
  document.getElementById('who-scope').textContent = caps.includes('SystemAdmin') ? '(system administrator)' : caps.includes('SystemAdminRead') ? '(read-only system administrator)' : caps.includes('OrgAdmin') ? '(organization administrator)' : tr('(domain administrator)');
  document.getElementById('nav-source').hidden = !caps.includes('SystemAdmin');
  if (!location.hash || location.hash === '#/') location.hash = '#/overview'; else route();
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api('POST', '/logout'); } catch { /* signed out either way */ }
  sessionStorage.removeItem('csrf');
  profile = null;
  renderLogin(tr('Signed out.'));
});

// ---- Overview -------------------------------------------------------------------------------

async function overview() {
  page(tr('Overview'), h('p', { class: 'muted' }, tr('Loading…')));
  try {
    const [{ data: sources }, { data: domains }, n] = await Promise.all([api('GET', '/ldapsync/sources'), api('GET', '/domains'), names()]);
    const srcRows = sources.data.map((s) => [
      orgLabel(n, s.orgID), s.server, s.baseDn,
      s.disabled ? h('span', { class: 'badge warn' }, 'disabled') : s.reachable ? h('span', { class: 'badge ok' }, 'reachable') : h('span', { class: 'badge bad', title: s.error ?? '' }, 'unreachable'),
      s.lastRun ? h('span', {}, s.lastRun.status === 'awaiting-approval'
        ? h('a', { href: s.lastRun.taskID ? `#/task/${s.lastRun.taskID}` : '#/tasks', class: 'badge warn' }, tr('waiting for approval: approve or reject'))
        : h('span', { class: `badge ${s.lastRun.status === 'completed' ? 'ok' : s.lastRun.status === 'failed' ? 'bad' : 'warn'}` }, s.lastRun.status), ` ${when(s.lastRun.finished)} (${s.lastRun.mode})`) : 'never',
      s.nextRun ? when(s.nextRun) : tr('when asked (no schedule)'),
      `${s.users.active} active, ${s.users.deactivated} deactivated`,
    ]);
    const domRows = domains.data.map((d) => [
      d.domainname, String(d.activeUsers ?? 0), String(d.inactiveUsers ?? 0),
      h('div', { class: 'row' },
        h('a', { class: 'button', href: `#/domain/${d.ID}` }, `Preview or sync ${d.domainname}`),
        h('a', { class: 'button', href: `#/domain/${d.ID}/users` }, `Users of ${d.domainname}`)),
    ]);
    page(tr('Overview'),
      h('h2', {}, tr('Directory sources')),
      table(tr('Directory sources and their state'), [tr('Source'), tr('Servers'), tr('Base DN'), tr('State'), tr('Last run'), tr('Next run'), tr('Users')], srcRows, { empty: tr('No directory source is configured yet.') }),
      h('h2', {}, tr('Domains')),
      table(tr('Domains you administer'), [tr('Domain'), tr('Active users'), tr('Deactivated users'), tr('Actions')], domRows, { empty: tr('You administer no domain.') }));
  } catch (e) { page(tr('Overview'), errorBox(e)); }
}

// ---- Preview and sync -----------------------------------------------------------------------

function changeList(p) {
  if (p.action === 'create') return h('span', {}, `new user ${p.displayName ?? ''}`, p.reason ? ` (${p.reason})` : '');
  if (!p.changes) return p.reason ?? '';
  return h('ul', {}, p.changes.map((c) => h('li', {}, `${c.field}: `, h('del', {}, c.from || '∅'), ' → ', h('ins', {}, c.to || '∅'))), p.reason ? h('li', {}, `why: ${p.reason}`) : null);
}

async function domainSync(id) {
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

// ---- Tasks ----------------------------------------------------------------------------------

async function decide(id, action, after) {
  if (action === 'approve' && !confirm(tr('Deactivate every user this run holds?'))) return;
  try { await api('POST', `/tasq/tasks/${id}/${action}`); announce(`Task ${id}: ${action}d.`); after(); } catch (e) { alert(e.message); }
}

async function tasks() {
  try {
    const [{ data }, n] = await Promise.all([api('GET', '/tasq/tasks?limit=100'), names()]);
    const list = [...data.data].sort((a, b) => (b.state === 6) - (a.state === 6) || b.ID - a.ID);
    const rows = list.map((t) => [
      h('a', { href: `#/task/${t.ID}` }, `#${t.ID}`), stateBadge(t.state), t.domainID ? n.domain.get(t.domainID) ?? `domain ${t.domainID}` : t.orgID ? orgLabel(n, t.orgID) : tr('all domains'),
      t.owner || '—', duration(t.startedAt, t.finishedAt),
      t.counts ? `${t.counts.created} created, ${t.counts.updated + t.counts.moved} updated, ${t.counts.deactivated} deactivated, ${t.counts.conflicts + t.counts.invalid + t.counts.failed} problems` : text(t.message),
      h('div', { class: 'row' },
        t.state === 6 ? [h('button', { type: 'button', class: 'danger', onclick: () => decide(t.ID, 'approve', tasks) }, `Approve #${t.ID}`), h('button', { type: 'button', onclick: () => decide(t.ID, 'reject', tasks) }, `Reject #${t.ID}`)] : null,
        t.state <= 2 ? h('button', { type: 'button', onclick: async () => { await api('POST', `/tasq/tasks/${t.ID}/cancel`); tasks(); } }, `Cancel #${t.ID}`) : null),
    ]);
    page(tr('Tasks'), table(tr('Sync runs, waiting for approval first'), [tr('Task'), tr('State'), tr('Scope'), tr('Started by'), tr('Duration'), tr('Counts'), tr('Actions')], rows, { empty: tr('No task yet.') }));
  } catch (e) { page(tr('Tasks'), errorBox(e)); }
}

async function task(id) {
  const live = h('section', { 'aria-live': 'polite' });
  const outcomes = h('section');
  let rendered = false;
  page(`Task #${id}`, live, outcomes);
  async function refresh() {
    let t;
    try { t = (await api('GET', `/tasq/tasks/${id}`)).data; } catch (e) { fill(live, errorBox(e)); clearInterval(pollTimer); return; }
    const running = t.state <= 2;
    const c = t.counts ?? {};
    fill(live, 
      h('p', {}, stateBadge(t.state), t.message ? ` ${t.message}` : ''),
      running ? h('progress', { 'aria-label': tr('Sync progress') }) : h('progress', { value: 1, max: 1, 'aria-label': tr('Sync progress') }),
      h('p', { class: 'muted' }, `${t.progress ?? 0} entries read · elapsed ${duration(t.startedAt, running ? null : t.finishedAt)}`),
      h('div', { class: 'cards' }, [['created', c.created], ['updated', (c.updated ?? 0) + (c.moved ?? 0)], ['unchanged', c.unchanged], [tr('deactivated'), c.deactivated], ['reactivated', c.reactivated], ['conflicts', c.conflicts], ['invalid', c.invalid], ['failed', c.failed]]
        .map(([k, v]) => h('div', { class: 'card' }, h('b', {}, String(v ?? 0)), k))),
      running ? h('button', { type: 'button', onclick: () => api('POST', `/tasq/tasks/${id}/cancel`) }, tr('Cancel')) : null,
      t.state === 6 ? h('div', { class: 'notice warn' },
        h('p', {}, `This run would deactivate ${t.params.pendingDeactivations.length} users, more than the source allows without approval. Nobody has been deactivated.`),
        table(tr('Users this run would deactivate'), ['ID', tr('User')], t.params.pendingDeactivations.slice(0, 200).map((u) => [String(u.ID), u.username])),
        h('div', { class: 'row' }, h('button', { class: 'danger', type: 'button', onclick: () => decide(id, 'approve', refresh) }, tr('Approve')), h('button', { type: 'button', onclick: () => decide(id, 'reject', refresh) }, tr('Reject')))) : null);
    if (!running) {
      clearInterval(pollTimer);
      if (!rendered) { rendered = true; renderOutcomes(outcomes, t.params.result ?? []); announce(`Task ${id} ${STATES[t.state]}.`); }
    }
  }
  await refresh();
  pollTimer = setInterval(refresh, 700);
}

function renderOutcomes(section, results) {
  const codes = [...new Set(results.map((o) => o.code))].sort();
  const filter = h('select', { 'aria-label': tr('Filter by code') }, h('option', { value: '' }, tr('All codes')), codes.map((c) => h('option', { value: String(c) }, `${c} (${results.filter((o) => o.code === c).length})`)));
  const search = h('input', { type: 'search', 'aria-label': tr('Search by name'), placeholder: tr('Search by name') });
  const body = h('div');
  const PAGE = 500;
  let start = 0;
  const draw = () => {
    const q = search.value.toLowerCase();
    const rows = results.filter((o) => (!filter.value || String(o.code) === filter.value) && (!q || text(o.username).toLowerCase().includes(q)));
    start = Math.min(start, Math.max(0, rows.length - 1 - ((rows.length - 1) % PAGE)));
    const shown = rows.slice(start, start + PAGE);
    fill(body, h('p', { class: 'muted' }, rows.length > PAGE ? `${start + 1}–${start + shown.length} of ${rows.length} matching, ${results.length} outcomes in all` : `${rows.length} of ${results.length} outcomes`),
      table(tr('Outcomes per user'), [tr('User'), tr('Code'), tr('Message')], shown.map((o) => [o.username || '—', h('span', { class: `badge ${codeClass(o.code)}` }, String(o.code)), text(o.message)])),
      rows.length > PAGE ? pager(start > 0, start + PAGE < rows.length, (step) => { start += step * PAGE; draw(); }, 'outcomes') : null);
  };
  filter.addEventListener('change', () => { start = 0; draw(); });
  search.addEventListener('input', () => { start = 0; draw(); });
  fill(section, h('h2', {}, tr('Outcomes')), h('div', { class: 'row' }, h('label', {}, tr('Code'), filter), h('label', {}, tr('Name'), search)), body);
  draw();
}

// ---- Users ----------------------------------------------------------------------------------

async function users(id) {
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

// ---- Routing --------------------------------------------------------------------------------

function route() {
  if (!profile) return;
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const [view, id, sub] = parts;
  if (view === 'tasks') return tasks();
  if (view === 'task' && id) return task(Number(id));
  if (view === 'domain' && id && sub === 'users') return users(Number(id));
  if (view === 'domain' && id) return domainSync(Number(id));
  if (view === 'source') return sourcePage({ api, page, names }, id ? Number(id) : 0);
  return overview();
}

// The page's language and the header's words (index.html is English).
document.documentElement.lang = LANG;
for (const [selector, words] of [['a.skip', 'Skip to content'], ['nav a[href="#/overview"]', 'Overview'], ['nav a[href="#/tasks"]', 'Tasks'], ['#nav-source', 'Directory source'], ['#sign-out', 'Sign out']]) {
  const el = document.querySelector(selector);
  if (el) el.textContent = tr(words);
}

window.addEventListener('hashchange', route);
start().catch(() => renderLogin());
