// The directory source form: any organization's source (or the default), every field the
// engine reads, checked as typed and by the server, with a connection test before saving.
// The app's API client, page frame and name lookup come in as arguments (no import cycle).
import { t as tr } from './i18n.js';
import { errorBox, fill, h } from './dom.js';

export async function sourcePage({ api, page, names }, orgId = 0) {
  let current = {};
  const base = orgId ? `/system/orgs/${orgId}/ldap` : '/system/mconf/ldap';
  let n, vendors;
  try {
    [current, n, vendors] = await Promise.all([api('GET', base).then(({ data }) => data.data ?? {}), names(), api('GET', '/ldapsync/vendors').then(({ data }) => data.data)]);
  } catch (e) { page(tr('Directory source'), errorBox(e)); return; }
  // The server's vendor list and each one's defaults: a vendor it adds shows up here unasked.
  const chosenVendor = current.vendor ?? vendors.find((v) => v.default)?.vendor;
  const defaultFilter = (name) => vendors.find((v) => v.vendor === name)?.users.filter ?? '';
  const which = h('select', { 'aria-label': tr('Which source'), onchange: () => { location.hash = which.value === '0' ? '#/source' : `#/source/${which.value}`; } },
    h('option', { value: '0', selected: orgId === 0 }, tr('Default (every organization without its own)')),
    [...n.org].map(([id, name]) => h('option', { value: String(id), selected: orgId === id }, `Organization ${name}`)));
  const c = current.connection ?? {};
  const u = current.users ?? {};
  const field = (label, name, value, attrs = {}, hint) => {
    const input = h('input', { type: 'text', name, id: `f-${name}`, value: value ?? '', ...attrs, 'aria-describedby': `e-${name}` });
    return h('label', { for: `f-${name}` }, label, input, hint ? h('span', { class: 'hint' }, hint) : null, h('span', { class: 'field-error', id: `e-${name}` }));
  };
  const status = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'stack', novalidate: true },
    field(tr('Servers'), 'server', c.server, { required: true }, tr('One or more ldap:// or ldaps:// URLs, separated by spaces; tried in order.')),
    field(tr('Bind DN'), 'bindUser', c.bindUser),
    field(tr('Bind password'), 'bindPass', '', { type: 'password', autocomplete: 'new-password', placeholder: c.bindUser ? 'unchanged (never shown)' : '' }, tr('Leave empty to keep the stored password.')),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'starttls', checked: c.starttls === true }), tr('Use StartTLS')),
    field(tr('CA file on the server'), 'caFile', c.caFile, {}, 'PEM file with the CA that signed the directory\'s certificate. Certificates are always verified.'),
    field(tr('Base DN'), 'baseDn', current.baseDn, { required: true }),
    h('label', {}, tr('Directory type'), h('select', { name: 'vendor', onchange: (ev) => { form.querySelector('#f-filter').placeholder = defaultFilter(ev.target.value); } },
      vendors.map((v) => h('option', { value: v.vendor, selected: chosenVendor === v.vendor }, v.label)))),
    field(tr('User filter'), 'filter', u.filter, { placeholder: defaultFilter(chosenVendor) }, 'Leave empty for the directory type\'s default.'),
    field(tr('Page size'), 'pageSize', current.pageSize ?? 1000, { type: 'number', min: 1, max: 10000 }, tr('Entries per page of the search, 1 to 10,000.')),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'tlsVerify', checked: c.tlsVerify !== false }), tr('Verify the server certificate (turn off only for a test directory)')),
    field(tr('Connect timeout (seconds)'), 'connectTimeout', c.connectTimeout ?? 10, { type: 'number', min: 1, max: 600 }),
    field(tr('Operation timeout (seconds)'), 'timeout', c.timeout ?? 60, { type: 'number', min: 1, max: 3600 }),
    field(tr('Schedule'), 'schedule', current.schedule, {}, tr('When to sync on its own: a cron expression (*/15 * * * *) or an RFC 5545 rule (FREQ=HOURLY). Empty: only when asked.')),
    h('label', { class: 'inline' }, h('input', { type: 'checkbox', name: 'deactivateGone', checked: current.deactivateGone !== false }), tr('Deactivate users who left the directory (after a complete read only)')),
    field(tr('Attribute mapping'), 'attributes', Object.entries(u.attributes ?? {}).map(([k, v]) => `${k}=${v}`).join(', '), {}, tr('Directory attribute = property, separated by commas, e.g. telephoneNumber=mobile.')),
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => submit('test') }, tr('Test connection')),
      h('button', { type: 'submit', class: 'primary' }, tr('Save'))));
  const config = () => {
    const fd = new FormData(form);
    const conn = { server: fd.get('server'), bindUser: fd.get('bindUser'), starttls: fd.get('starttls') === 'on' };
    if (fd.get('bindPass')) conn.bindPass = fd.get('bindPass');
    if (fd.get('caFile')) conn.caFile = fd.get('caFile');
    conn.tlsVerify = fd.get('tlsVerify') === 'on';
    conn.connectTimeout = Number(fd.get('connectTimeout'));
    conn.timeout = Number(fd.get('timeout'));
    const attributes = Object.fromEntries(String(fd.get('attributes') ?? '').split(',').map((x) => x.split('=').map((y) => y.trim())).filter(([k, v]) => k && v));
    return { ...current, connection: { ...c, ...conn, bindPass: conn.bindPass }, baseDn: fd.get('baseDn'), vendor: fd.get('vendor'), pageSize: Number(fd.get('pageSize')),
      schedule: fd.get('schedule') || undefined, deactivateGone: fd.get('deactivateGone') === 'on',
      users: { ...u, filter: fd.get('filter') || undefined, attributes }, groups: current.groups ?? {} };
  };
  const check = () => {
    const fd = new FormData(form);
    const problems = {};
    const servers = String(fd.get('server') ?? '').split(/\s+/).filter(Boolean);
    if (!servers.length) problems.server = tr('At least one server is needed.');
    else if (servers.some((s) => !/^ldaps?:\/\/[^\s/]+\/?$/.test(s))) problems.server = tr('Each server is an ldap:// or ldaps:// URL without a path.');
    else if (fd.get('starttls') === 'on' && servers.some((s) => s.startsWith('ldaps://'))) problems.server = tr('ldaps:// already encrypts: turn StartTLS off or use ldap://.');
    if (!String(fd.get('baseDn') ?? '').trim()) problems.baseDn = 'The base DN is needed, e.g. ou=people,dc=example,dc=org.';
    const f = String(fd.get('filter') ?? '');
    if (f && [...f].reduce((d, ch) => (d < 0 ? d : d + (ch === '(' ? 1 : ch === ')' ? -1 : 0)), 0) !== 0) problems.filter = 'The parentheses of the filter do not balance.';
    const whole = (name, min, max, what) => {
      const v = Number(fd.get(name));
      if (!Number.isInteger(v) || v < min || v > max) problems[name] = `${what} is a whole number from ${min} to ${max}.`;
    };
    whole('pageSize', 1, 10000, 'The page size');
    whole('connectTimeout', 1, 600, 'The connect timeout');
    whole('timeout', 1, 3600, 'The operation timeout');
    for (const name of ['server', 'baseDn', 'filter', 'pageSize', 'connectTimeout', 'timeout']) {
      const input = form.querySelector(`#f-${name}`);
      input.setAttribute('aria-invalid', problems[name] ? 'true' : 'false');
      form.querySelector(`#e-${name}`).textContent = problems[name] ?? '';
    }
    const first = Object.keys(problems)[0];
    if (first) form.querySelector(`#f-${first}`).focus();
    return !first;
  };
  // An answer about the form as it was ("Connection works") must not stay beside what it is now.
  form.addEventListener('input', (ev) => { fill(status, ); if (ev.target.getAttribute('aria-invalid') === 'true') check(); });
  async function submit(kind) {
    if (!check()) return;
    fill(status, h('p', { class: 'muted' }, kind === 'test' ? 'Testing…' : tr('Saving…')));
    try {
      const body = config();
      if (kind === 'test') {
        const { data } = await api('POST', `${base}/test`, { json: body });
        fill(status, h('p', { class: `notice ${data.ok ? '' : 'bad'}`, role: data.ok ? 'status' : 'alert' }, data.ok ? `${tr('Connection works.')} ${data.message}` : `${tr('Connection failed:')} ${data.message}`));
      } else {
        await api('PUT', base, { json: body });
        fill(status, h('p', { class: 'notice', role: 'status' }, tr('Saved. The connection was tested before saving.')));
        form.querySelector('[name=bindPass]').value = '';
      }
    } catch (e) { fill(status, errorBox(e)); }
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); submit('save'); });
  page(tr('Directory source'), h('label', {}, tr('Source'), which), h('p', { class: 'muted' }, orgId ? `The source of organization ${n.org.get(orgId) ?? orgId}; its domains sync from it instead of the default.` : tr('The system default source; organizations may have their own.')), form, status);
}
