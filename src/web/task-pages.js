// The console's sync runs: the task list (runs waiting for approval first), one task followed
// live until it ends, its approval or rejection, and its outcomes per user, filtered and paged.
// The app's API client, page frame, name lookup and polling come in as arguments (no import cycle).
import { t as tr } from './i18n.js';
import { codeClass, duration, errorBox, fill, h, pager, table, text } from './dom.js';

const STATES = { 0: tr('queued'), 1: tr('loaded'), 2: tr('running'), 3: tr('completed'), 4: tr('error'), 5: tr('cancelled'), 6: tr('waiting for approval') };

const stateBadge = (s) => h('span', { class: `badge ${s === 3 ? 'ok' : s === 4 ? 'bad' : s === 6 || s === 5 ? 'warn' : ''}` }, STATES[s] ?? String(s));

async function decide({ api, announce }, id, action, after) {
  if (action === 'approve' && !confirm(tr('Deactivate every user this run holds?'))) return;
  try { await api('POST', `/tasq/tasks/${id}/${action}`); announce(`Task ${id}: ${action}d.`); after(); } catch (e) { alert(e.message); }
}

export async function tasksPage(ui) {
  const { api, page, names, orgLabel } = ui;
  const again = () => tasksPage(ui);
  try {
    const [{ data }, n] = await Promise.all([api('GET', '/tasq/tasks?limit=100'), names()]);
    const list = [...data.data].sort((a, b) => (b.state === 6) - (a.state === 6) || b.ID - a.ID);
    const rows = list.map((t) => [
      h('a', { href: `#/task/${t.ID}` }, `#${t.ID}`), stateBadge(t.state), t.domainID ? n.domain.get(t.domainID) ?? `domain ${t.domainID}` : t.orgID ? orgLabel(n, t.orgID) : tr('all domains'),
      t.owner || '—', duration(t.startedAt, t.finishedAt),
      t.counts ? `${t.counts.created} created, ${t.counts.updated + t.counts.moved} updated, ${t.counts.deactivated} deactivated, ${t.counts.conflicts + t.counts.invalid + t.counts.failed} problems` : text(t.message),
      h('div', { class: 'row' },
        t.state === 6 ? [h('button', { type: 'button', class: 'danger', onclick: () => decide(ui, t.ID, 'approve', again) }, `Approve #${t.ID}`), h('button', { type: 'button', onclick: () => decide(ui, t.ID, 'reject', again) }, `Reject #${t.ID}`)] : null,
        t.state <= 2 ? h('button', { type: 'button', onclick: async () => { await api('POST', `/tasq/tasks/${t.ID}/cancel`); again(); } }, `Cancel #${t.ID}`) : null),
    ]);
    page(tr('Tasks'), table(tr('Sync runs, waiting for approval first'), [tr('Task'), tr('State'), tr('Scope'), tr('Started by'), tr('Duration'), tr('Counts'), tr('Actions')], rows, { empty: tr('No task yet.') }));
  } catch (e) { page(tr('Tasks'), errorBox(e)); }
}

export async function taskPage(ui, id) {
  const { api, page, announce, poll, stopPolling } = ui;
  const live = h('section', { 'aria-live': 'polite' });
  const outcomes = h('section');
  let rendered = false;
  page(`Task #${id}`, live, outcomes);
  async function refresh() {
    let t;
    try { t = (await api('GET', `/tasq/tasks/${id}`)).data; } catch (e) { fill(live, errorBox(e)); stopPolling(); return; }
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
        h('div', { class: 'row' }, h('button', { class: 'danger', type: 'button', onclick: () => decide(ui, id, 'approve', refresh) }, tr('Approve')), h('button', { type: 'button', onclick: () => decide(ui, id, 'reject', refresh) }, tr('Reject')))) : null);
    if (!running) {
      stopPolling();
      if (!rendered) { rendered = true; renderOutcomes(outcomes, t.params.result ?? []); announce(`Task ${id} ${STATES[t.state]}.`); }
    }
  }
  await refresh();
  poll(refresh, 700);
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
