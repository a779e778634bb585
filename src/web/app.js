// The ldapsync console: plain ES modules over the public API (/api/v1), no build step.
// Data is only ever put into the page as text, never as HTML.

import { LANG, t as tr } from './i18n.js';
import { errorBox, fill, h, table, when } from './dom.js';
import { sourcePage } from './source-form.js';
import { taskPage, tasksPage } from './task-pages.js';
import { domainSyncPage, domainUsersPage } from './domain-pages.js';

const API = '/api/v1';
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

function page(title, ...content) {
  clearInterval(pollTimer);
  fill(main, h('h1', {}, title), ...content);
  document.title = `${title} · ldapsync`;
  main.focus();
  for (const a of document.querySelectorAll('nav a')) a.toggleAttribute('aria-current', location.hash.startsWith(a.getAttribute('href')));
  for (const a of document.querySelectorAll('nav a[aria-current]')) a.setAttribute('aria-current', 'page');
}

// A page that polls (a running task) stops when the next page is shown: page() clears the timer.
const poll = (refresh, ms) => { pollTimer = setInterval(refresh, ms); };
const stopPolling = () => clearInterval(pollTimer);

/** What the pages in other modules get from this one. */
const ui = { api, page, names, orgLabel, announce, poll, stopPolling };

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

// ---- Routing --------------------------------------------------------------------------------

function route() {
  if (!profile) return;
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const [view, id, sub] = parts;
  if (view === 'tasks') return tasksPage(ui);
  if (view === 'task' && id) return taskPage(ui, Number(id));
  if (view === 'domain' && id && sub === 'users') return domainUsersPage(ui, Number(id));
  if (view === 'domain' && id) return domainSyncPage(ui, Number(id));
  if (view === 'source') return sourcePage(ui, id ? Number(id) : 0);
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
