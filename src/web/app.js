// The ldapsync console: plain ES modules over the public API (/api/v1), no build step.
// Data is only ever put into the page as text, never as HTML.

const API = '/api/v1';
const STATES = { 0: 'queued', 1: 'loaded', 2: 'running', 3: 'completed', 4: 'error', 5: 'cancelled', 6: 'waiting for approval' };
const main = document.getElementById('main');
let profile = null;
let pollTimer = null;

// ---- DOM and API helpers -------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

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
  if (res.status === 401 && path !== '/login') { profile = null; renderLogin('Your session ended; please sign in again.'); throw new ApiError(401, data); }
  if (!res.ok) throw new ApiError(res.status, data);
  return { status: res.status, data };
}

function errorBox(e) {
  const errors = e.body?.errors ?? [];
  return h('div', { class: 'notice bad', role: 'alert' }, h('strong', {}, e.message), errors.length ? h('ul', {}, errors.map((x) => h('li', {}, x))) : null);
}

function table(caption, headers, rows, { empty = 'Nothing to show.' } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

const when = (iso) => (iso ? new Date(iso.includes('T') ? iso : `${iso.replace(' ', 'T')}Z`).toLocaleString() : '—');
const duration = (a, b) => (a ? `${((new Date(b ?? Date.now()) - new Date(a)) / 1000).toFixed(1)} s` : '—');
const codeClass = (code) => (code < 300 ? 'ok' : code === 404 || code === 409 ? 'warn' : 'bad');
const stateBadge = (s) => h('span', { class: `badge ${s === 3 ? 'ok' : s === 4 ? 'bad' : s === 6 || s === 5 ? 'warn' : ''}` }, STATES[s] ?? String(s));

function page(title, ...content) {
  clearInterval(pollTimer);
  main.replaceChildren(h('h1', {}, title), ...content);
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
      status.replaceChildren(errorBox(e.status === 401 ? new Error(secondFactor ? e.body.error : 'Wrong user name or password.') : e));
    }
  } },
  h('label', {}, 'User name', h('input', { type: 'text', name: 'user', autocomplete: 'username', required: true })),
  h('label', {}, 'Password', h('input', { type: 'password', name: 'pass', autocomplete: 'current-password', required: true })),
  h('label', {}, 'Code', h('input', { type: 'text', name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric' }), h('span', { class: 'hint' }, 'Only for an account with a second factor: the code from its authenticator app or mail.')),
  h('div', {}, h('button', { class: 'primary', type: 'submit' }, 'Sign in')));
  page('Sign in', status, form);
  form.querySelector('input').focus();
}

async function start() {
  try { profile = (await api('GET', '/profile')).data; } catch { return; }
  const caps = profile.capabilities;
  document.getElementById('nav').hidden = false;
  document.getElementById('who').hidden = false;
  document.getElementById('who-name').textContent = `Signed in as ${profile.user.username}`;
  document.getElementById('who-scope').textContent = caps.includes('SystemAdmin') ? '(system administrator)' : caps.includes('SystemAdminRead') ? '(read-only system administrator)' : caps.includes('OrgAdmin') ? '(organization administrator)' : '(domain administrator)';
  document.getElementById('nav-source').hidden = !caps.includes('SystemAdmin');
  if (!location.hash || location.hash === '#/') location.hash = '#/overview'; else route();
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try { await api('POST', '/logout'); } catch { /* signed out either way */ }
  sessionStorage.removeItem('csrf');
  profile = null;
  renderLogin('Signed out.');
});

// ---- Overview -------------------------------------------------------------------------------

async function overview() {
  page('Overview', h('p', { class: 'muted' }, 'Loading…'));
  try {
    const [{ data: sources }, { data: domains }] = await Promise.all([api('GET', '/ldapsync/sources'), api('GET', '/domains')]);
    const srcRows = sources.data.map((s) => [
      s.orgID === 0 ? 'Default' : `Organization ${s.orgID}`, s.server, s.baseDn,
      s.disabled ? h('span', { class: 'badge warn' }, 'disabled') : s.reachable ? h('span', { class: 'badge ok' }, 'reachable') : h('span', { class: 'badge bad', title: s.error ?? '' }, 'unreachable'),
      s.lastRun ? h('span', {}, h('span', { class: `badge ${s.lastRun.status === 'completed' ? 'ok' : s.lastRun.status === 'failed' ? 'bad' : 'warn'}` }, s.lastRun.status), ` ${when(s.lastRun.finished)} (${s.lastRun.mode})`) : 'never',
      s.nextRun ? when(s.nextRun) : 'when asked (no schedule)',
      `${s.users.active} active, ${s.users.deactivated} deactivated`,
    ]);
    const domRows = domains.data.map((d) => [
      d.domainname, String(d.activeUsers ?? 0), String(d.inactiveUsers ?? 0),
      h('div', { class: 'row' },
        h('a', { class: 'button', href: `#/domain/${d.ID}` }, `Preview or sync ${d.domainname}`),
        h('a', { class: 'button', href: `#/domain/${d.ID}/users` }, `Users of ${d.domainname}`)),
    ]);
    page('Overview',
      h('h2', {}, 'Directory sources'),
      table('Directory sources and their state', ['Source', 'Servers', 'Base DN', 'State', 'Last run', 'Next run', 'Users'], srcRows, { empty: 'No directory source is configured yet.' }),
      h('h2', {}, 'Domains'),
      table('Domains you administer', ['Domain', 'Active users', 'Deactivated users', 'Actions'], domRows, { empty: 'You administer no domain.' }));
  } catch (e) { page('Overview', errorBox(e)); }
}

// ---- Preview and sync -----------------------------------------------------------------------

function changeList(p) {
  if (p.action === 'create') return h('span', {}, `new user ${p.displayName ?? ''}`, p.reason ? ` (${p.reason})` : '');
  if (!p.changes) return p.reason ?? '';
  return h('ul', {}, p.changes.map((c) => h('li', {}, `${c.field}: `, h('del', {}, c.from || '∅'), ' → ', h('ins', {}, c.to || '∅'))), p.reason ? h('li', {}, `why: ${p.reason}`) : null);
}

async function domainSync(id) {
  let domain;
  try { domain = (await api('GET', `/system/domains/${id}`)).data; } catch (e) { page('Domain', errorBox(e)); return; }
  const result = h('section', { 'aria-live': 'polite' });
  const form = h('form', { class: 'stack' },
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'import' }), 'Import new users found in the directory'),
    h('label', {}, 'Language for new users', h('input', { type: 'text', name: 'lang', placeholder: 'e.g. de_DE', pattern: '[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*' }), h('span', { class: 'hint' }, 'Applies to users created by this run only.')),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'full' }), 'Full reconcile (read the whole directory, not only the changes)'),
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => preview() }, 'Preview'),
      h('button', { type: 'button', class: 'primary', onclick: () => syncNow() }, 'Sync now')));
  const options = () => {
    const fd = new FormData(form);
    const q = new URLSearchParams({ import: fd.get('import') ? 'true' : 'false', lang: fd.get('lang') ?? '' });
    if (fd.get('full')) q.set('full', 'true');
    return q;
  };
  async function preview() {
    result.replaceChildren(h('p', { class: 'muted' }, 'Computing the plan; nothing is written…'));
    try {
      const { data } = await api('POST', `/domains/${id}/ldap/downsync?${options()}&dryRun=true`);
      const c = data.counts;
      result.replaceChildren(
        h('h2', {}, 'Plan'),
        h('p', {}, `Nothing has been written. ${data.mode === 'full' ? 'Full run' : `Delta run (${data.mode.split(':')[1]})`}: ${data.message}`),
        h('div', { class: 'cards' }, [['create', c.created], ['update', c.updated], ['move or rename', c.moved], ['deactivate', c.deactivated], ['reactivate', c.reactivated], ['conflict', c.conflicts], ['invalid', c.invalid], ['unchanged', c.unchanged]]
          .map(([k, v]) => h('div', { class: 'card' }, h('b', {}, String(v)), k))),
        table('What this run would do', ['Action', 'User', 'What changes, and why'], data.plan.map((p) => [h('span', { class: `badge ${p.action === 'deactivate' || p.action === 'conflict' || p.action === 'invalid' ? 'warn' : 'ok'}` }, p.action), p.username, changeList(p)]), { empty: 'Nothing would change.' }),
        h('div', { class: 'row' }, h('button', { class: 'primary', type: 'button', onclick: () => syncNow() }, 'Apply')));
      announce(`Plan ready: ${data.plan.length} changes.`);
    } catch (e) { result.replaceChildren(errorBox(e)); }
  }
  async function syncNow() {
    try {
      const { data } = await api('POST', `/domains/${id}/ldap/downsync?${options()}&timeout=0`);
      location.hash = `#/task/${data.taskID}`;
    } catch (e) { result.replaceChildren(errorBox(e)); }
  }
  page(`Sync ${domain.domainname}`, form, result);
}

// ---- Tasks ----------------------------------------------------------------------------------

async function decide(id, action, after) {
  if (action === 'approve' && !confirm('Deactivate every user this run holds?')) return;
  try { await api('POST', `/tasq/tasks/${id}/${action}`); announce(`Task ${id}: ${action}d.`); after(); } catch (e) { alert(e.message); }
}

async function tasks() {
  try {
    const { data } = await api('GET', '/tasq/tasks?limit=100');
    const list = [...data.data].sort((a, b) => (b.state === 6) - (a.state === 6) || b.ID - a.ID);
    const rows = list.map((t) => [
      h('a', { href: `#/task/${t.ID}` }, `#${t.ID}`), stateBadge(t.state), t.domainID ? `domain ${t.domainID}` : t.orgID ? `organization ${t.orgID}` : 'all domains',
      t.owner || '—', duration(t.startedAt, t.finishedAt),
      t.counts ? `${t.counts.created} created, ${t.counts.updated + t.counts.moved} updated, ${t.counts.deactivated} deactivated, ${t.counts.conflicts + t.counts.invalid + t.counts.failed} problems` : t.message,
      h('div', { class: 'row' },
        t.state === 6 ? [h('button', { type: 'button', class: 'danger', onclick: () => decide(t.ID, 'approve', tasks) }, `Approve #${t.ID}`), h('button', { type: 'button', onclick: () => decide(t.ID, 'reject', tasks) }, `Reject #${t.ID}`)] : null,
        t.state <= 2 ? h('button', { type: 'button', onclick: async () => { await api('POST', `/tasq/tasks/${t.ID}/cancel`); tasks(); } }, `Cancel #${t.ID}`) : null),
    ]);
    page('Tasks', table('Sync runs, waiting for approval first', ['Task', 'State', 'Scope', 'Started by', 'Duration', 'Counts', 'Actions'], rows, { empty: 'No task yet.' }));
  } catch (e) { page('Tasks', errorBox(e)); }
}

async function task(id) {
  const live = h('section', { 'aria-live': 'polite' });
  const outcomes = h('section');
  let rendered = false;
  page(`Task #${id}`, live, outcomes);
  async function refresh() {
    let t;
    try { t = (await api('GET', `/tasq/tasks/${id}`)).data; } catch (e) { live.replaceChildren(errorBox(e)); clearInterval(pollTimer); return; }
    const running = t.state <= 2;
    const c = t.counts ?? {};
    live.replaceChildren(
      h('p', {}, stateBadge(t.state), ` ${t.message}`),
      running ? h('progress', { 'aria-label': 'Sync progress' }) : h('progress', { value: 1, max: 1, 'aria-label': 'Sync progress' }),
      h('p', { class: 'muted' }, `${t.progress} entries read · elapsed ${duration(t.startedAt, running ? null : t.finishedAt)}`),
      h('div', { class: 'cards' }, [['created', c.created], ['updated', (c.updated ?? 0) + (c.moved ?? 0)], ['unchanged', c.unchanged], ['deactivated', c.deactivated], ['reactivated', c.reactivated], ['conflicts', c.conflicts], ['invalid', c.invalid], ['failed', c.failed]]
        .map(([k, v]) => h('div', { class: 'card' }, h('b', {}, String(v ?? 0)), k))),
      running ? h('button', { type: 'button', onclick: () => api('POST', `/tasq/tasks/${id}/cancel`) }, 'Cancel') : null,
      t.state === 6 ? h('div', { class: 'notice warn' },
        h('p', {}, `This run would deactivate ${t.params.pendingDeactivations.length} users, more than the source allows without approval. Nobody has been deactivated.`),
        table('Users this run would deactivate', ['ID', 'User'], t.params.pendingDeactivations.slice(0, 200).map((u) => [String(u.ID), u.username])),
        h('div', { class: 'row' }, h('button', { class: 'danger', type: 'button', onclick: () => decide(id, 'approve', refresh) }, 'Approve'), h('button', { type: 'button', onclick: () => decide(id, 'reject', refresh) }, 'Reject'))) : null);
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
  const filter = h('select', { 'aria-label': 'Filter by code' }, h('option', { value: '' }, 'All codes'), codes.map((c) => h('option', { value: String(c) }, `${c} (${results.filter((o) => o.code === c).length})`)));
  const search = h('input', { type: 'search', 'aria-label': 'Search by name', placeholder: 'Search by name' });
  const body = h('div');
  const draw = () => {
    const q = search.value.toLowerCase();
    const rows = results.filter((o) => (!filter.value || String(o.code) === filter.value) && (!q || o.username.toLowerCase().includes(q)));
    body.replaceChildren(h('p', { class: 'muted' }, `${rows.length} of ${results.length} outcomes`),
      table('Outcomes per user', ['User', 'Code', 'Message'], rows.slice(0, 500).map((o) => [o.username || '—', h('span', { class: `badge ${codeClass(o.code)}` }, String(o.code)), o.message])));
  };
  filter.addEventListener('change', draw);
  search.addEventListener('input', draw);
  section.replaceChildren(h('h2', {}, 'Outcomes'), h('div', { class: 'row' }, h('label', {}, 'Code', filter), h('label', {}, 'Name', search)), body);
  draw();
}

// ---- Users ----------------------------------------------------------------------------------

async function users(id) {
  let domain;
  try { domain = (await api('GET', `/system/domains/${id}`)).data; } catch (e) { page('Users', errorBox(e)); return; }
  const search = h('input', { type: 'search', placeholder: 'Search by name or address' });
  const list = h('section', { 'aria-live': 'polite' });
  const dialog = h('dialog', { 'aria-label': 'Directory entry' });
  document.body.append(dialog);
  async function load() {
    try {
      const { data } = await api('GET', `/domains/${id}/users?limit=200&match=${encodeURIComponent(search.value)}`);
      list.replaceChildren(h('p', { class: 'muted' }, `${data.data.length} of ${data.count} users`), table(`Users of ${domain.domainname}`, ['User', 'Name', 'Status', 'Source', 'Last synced', 'Actions'], data.data.map((u) => [
        h('span', { class: 'person' }, h('img', { class: 'avatar', src: u.avatar?.url ?? `/avatar/${encodeURIComponent(u.username)}`, alt: '', width: 24, height: 24, loading: 'lazy' }), u.username),
        u.properties.displayname ?? '',
        h('span', { class: `badge ${u.status === 0 ? 'ok' : 'warn'}`, title: u.statusReason ?? '' }, u.status === 0 ? 'active' : `deactivated${u.statusReason ? `: ${u.statusReason}` : ''}`),
        u.ldapID ? 'directory' : 'local', when(u.lastSynced),
        h('div', { class: 'row' },
          u.ldapID ? h('button', { type: 'button', onclick: async () => {
            try {
              const { data: d } = await api('GET', `/domains/ldap/dump?ID=${encodeURIComponent(u.ldapID)}&domain=${id}`);
              dialog.replaceChildren(h('h2', {}, `Directory entry of ${u.username}`), h('pre', {}, d.data), h('form', { method: 'dialog' }, h('button', {}, 'Close')));
            } catch (e) { dialog.replaceChildren(errorBox(e), h('form', { method: 'dialog' }, h('button', {}, 'Close'))); }
            dialog.showModal();
          } }, `Entry of ${u.username}`) : null,
          u.ldapID ? h('button', { type: 'button', class: 'danger', onclick: async () => {
            if (!confirm(`Detach ${u.username} from the directory? It becomes a local user.`)) return;
            await api('PATCH', `/domains/${id}/users/${u.ID}`, { json: { ldapID: null } });
            load();
          } }, `Detach ${u.username}`) : null),
      ])));
    } catch (e) { list.replaceChildren(errorBox(e)); }
  }
  search.addEventListener('input', () => { clearTimeout(search.timer); search.timer = setTimeout(load, 250); });
  page(`Users of ${domain.domainname}`, h('label', {}, 'Search', search), list);
  await load();
}

// ---- Directory source -----------------------------------------------------------------------

async function source() {
  let current = {};
  try { current = (await api('GET', '/system/mconf/ldap')).data.data ?? {}; } catch (e) { page('Directory source', errorBox(e)); return; }
  const c = current.connection ?? {};
  const u = current.users ?? {};
  const field = (label, name, value, attrs = {}, hint) => {
    const input = h('input', { type: 'text', name, id: `f-${name}`, value: value ?? '', ...attrs, 'aria-describedby': `e-${name}` });
    return h('label', { for: `f-${name}` }, label, input, hint ? h('span', { class: 'hint' }, hint) : null, h('span', { class: 'field-error', id: `e-${name}` }));
  };
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'stack', novalidate: true },
    field('Servers', 'server', c.server, { required: true }, 'One or more ldap:// or ldaps:// URLs, separated by spaces; tried in order.'),
    field('Bind DN', 'bindUser', c.bindUser),
    field('Bind password', 'bindPass', '', { type: 'password', autocomplete: 'new-password', placeholder: c.bindUser ? 'unchanged (never shown)' : '' }, 'Leave empty to keep the stored password.'),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'starttls', checked: c.starttls === true }), 'Use StartTLS'),
    field('CA file on the server', 'caFile', c.caFile, {}, 'PEM file with the CA that signed the directory\'s certificate. Certificates are always verified.'),
    field('Base DN', 'baseDn', current.baseDn, { required: true }),
    h('label', {}, 'Directory type', h('select', { name: 'vendor' }, ['openldap', 'activedirectory', '389ds'].map((v) => h('option', { value: v, selected: (current.vendor ?? 'openldap') === v }, v)))),
    field('User filter', 'filter', u.filter, {}, 'Leave empty for the directory type\'s default.'),
    field('Page size', 'pageSize', current.pageSize ?? 1000, { type: 'number', min: 1, max: 10000 }),
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => submit('test') }, 'Test connection'),
      h('button', { type: 'submit', class: 'primary' }, 'Save')));
  const config = () => {
    const fd = new FormData(form);
    const conn = { server: fd.get('server'), bindUser: fd.get('bindUser'), starttls: fd.get('starttls') === 'on' };
    if (fd.get('bindPass')) conn.bindPass = fd.get('bindPass');
    if (fd.get('caFile')) conn.caFile = fd.get('caFile');
    return { ...current, connection: { ...c, ...conn, bindPass: conn.bindPass }, baseDn: fd.get('baseDn'), vendor: fd.get('vendor'), pageSize: Number(fd.get('pageSize')),
      users: { ...u, filter: fd.get('filter') || undefined }, groups: current.groups ?? {} };
  };
  const check = () => {
    const fd = new FormData(form);
    const problems = {};
    const servers = String(fd.get('server') ?? '').split(/\s+/).filter(Boolean);
    if (!servers.length) problems.server = 'At least one server is needed.';
    else if (servers.some((s) => !/^ldaps?:\/\/[^\s/]+\/?$/.test(s))) problems.server = 'Each server is an ldap:// or ldaps:// URL without a path.';
    else if (fd.get('starttls') === 'on' && servers.some((s) => s.startsWith('ldaps://'))) problems.server = 'ldaps:// already encrypts: turn StartTLS off or use ldap://.';
    if (!String(fd.get('baseDn') ?? '').trim()) problems.baseDn = 'The base DN is needed, e.g. ou=people,dc=example,dc=org.';
    const f = String(fd.get('filter') ?? '');
    if (f && [...f].reduce((d, ch) => (d < 0 ? d : d + (ch === '(' ? 1 : ch === ')' ? -1 : 0)), 0) !== 0) problems.filter = 'The parentheses of the filter do not balance.';
    for (const name of ['server', 'baseDn', 'filter']) {
      const input = form.querySelector(`#f-${name}`);
      input.setAttribute('aria-invalid', problems[name] ? 'true' : 'false');
      form.querySelector(`#e-${name}`).textContent = problems[name] ?? '';
    }
    const first = Object.keys(problems)[0];
    if (first) form.querySelector(`#f-${first}`).focus();
    return !first;
  };
  form.addEventListener('input', (ev) => { if (ev.target.getAttribute('aria-invalid') === 'true') check(); });
  async function submit(kind) {
    if (!check()) return;
    status.replaceChildren(h('p', { class: 'muted' }, kind === 'test' ? 'Testing…' : 'Saving…'));
    try {
      const body = config();
      if (kind === 'test') {
        const { data } = await api('POST', '/system/mconf/ldap/test', { json: body });
        status.replaceChildren(h('p', { class: `notice ${data.ok ? '' : 'bad'}`, role: data.ok ? 'status' : 'alert' }, data.ok ? `Connection works. ${data.message}` : `Connection failed: ${data.message}`));
      } else {
        await api('PUT', '/system/mconf/ldap', { json: body });
        status.replaceChildren(h('p', { class: 'notice', role: 'status' }, 'Saved. The connection was tested before saving.'));
        form.querySelector('[name=bindPass]').value = '';
      }
    } catch (e) { status.replaceChildren(errorBox(e)); }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit('save'); });
  page('Directory source', h('p', { class: 'muted' }, 'The system default source; organizations may have their own.'), form, status);
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
  if (view === 'source') return source();
  return overview();
}

window.addEventListener('hashchange', route);
start().catch(() => renderLogin());
