// The console's building blocks: elements made from data (as text, never as HTML), tables,
// error boxes, pagers, and the formatting of dates, durations, codes and directory IDs.
import { t as tr } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
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

/** Puts the children in `el`; null, undefined and false are left out (replaceChildren would print "null"). */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

export function errorBox(e) {
  const errors = e.body?.errors ?? [];
  return h('div', { class: 'notice bad', role: 'alert' }, h('strong', {}, e.message), errors.length ? h('ul', {}, errors.map((x) => h('li', {}, x))) : null);
}

export function table(caption, headers, rows, { empty = tr('Nothing to show.') } = {}) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

export const text = (v) => (v === null || v === undefined ? '' : String(v));
const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
/** entryUUID as its RFC 4122 text; objectGUID likewise, its first three fields little-endian as AD stores them. */
export function uuidOf(attribute, base64) {
  let bytes;
  try { bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0)); } catch { return null; }
  // Some servers hand entryUUID over as its text; then it is already what we show.
  const asText = String.fromCharCode(...bytes);
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(asText)) return asText.toLowerCase();
  if (bytes.length !== 16) return null;
  const b = attribute.toLowerCase() === 'objectguid' ? [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15].map((i) => bytes[i]) : [...bytes];
  const x = hex(b);
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
/** An LDIF dump with binary IDs shown as UUIDs instead of base64. */
export const readableLdif = (ldif) => text(ldif).split('\n').map((line) => {
  const m = /^(entryUUID|objectGUID|nsUniqueId):: (\S+)$/i.exec(line);
  const uuid = m && uuidOf(m[1], m[2]);
  return uuid ? `${m[1]}: ${uuid}` : line;
}).join('\n');
export const when = (iso) => (iso ? new Date(iso.includes('T') ? iso : `${iso.replace(' ', 'T')}Z`).toLocaleString() : '—');
export const duration = (a, b) => (a ? `${((new Date(b ?? Date.now()) - new Date(a)) / 1000).toFixed(1)} s` : '—');
export const codeClass = (code) => (code < 300 ? 'ok' : code === 404 || code === 409 ? 'warn' : 'bad');

/** Previous and next buttons; `go(-1)` or `go(1)`. */
export function pager(hasPrevious, hasNext, go, what) {
  return h('div', { class: 'row', role: 'navigation', 'aria-label': `Pages of ${what}` },
    h('button', { type: 'button', disabled: !hasPrevious, onclick: () => go(-1) }, `Previous ${what}`),
    h('button', { type: 'button', disabled: !hasNext, onclick: () => go(1) }, `Next ${what}`));
}
