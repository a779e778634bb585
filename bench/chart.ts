/**
 * Draws the benchmark as an SVG: sync time and peak memory against directory size, ldapsync
 * beside the ldapsearch floor, log scales so 10k to 1M fit one glance.
 */
interface Row { size: number; store: string; step: string; seconds: number; peakRssMb: number | null }
interface Result { date: string; rows: Row[] }

const W = 440, H = 300, PAD = { left: 56, right: 16, top: 36, bottom: 44 };
const COLORS = ['#222', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

interface Series { name: string; points: Array<[number, number]> }

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel(x0: number, title: string, unit: string, series: Series[]): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => v > 0);
  if (!xs.length || !ys.length) return '';
  let [lx0, lx1] = [Math.log10(Math.min(...xs)), Math.log10(Math.max(...xs))];
  if (lx0 === lx1) { lx0 -= 0.5; lx1 += 0.5; }
  const ly0 = Math.floor(Math.log10(Math.min(...ys)));
  const ly1 = Math.max(ly0 + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const px = (v: number) => x0 + PAD.left + ((Math.log10(v) - lx0) / (lx1 - lx0)) * (W - PAD.left - PAD.right);
  const py = (v: number) => PAD.top + (1 - (Math.log10(v) - ly0) / (ly1 - ly0)) * (H - PAD.top - PAD.bottom);
  const out: string[] = [`<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  for (let e = ly0; e <= ly1; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${x0 + PAD.left}" x2="${x0 + W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`, `<text x="${x0 + PAD.left - 6}" y="${y + 4}" text-anchor="end">${10 ** e >= 1 ? 10 ** e : (10 ** e).toFixed(-e)} ${unit}</text>`);
  }
  for (const x of [...new Set(xs)]) out.push(`<text x="${px(x)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${x >= 1e6 ? `${x / 1e6}M` : `${x / 1e3}k`}</text>`);
  out.push(`<text x="${x0 + W / 2}" y="${H - 6}" text-anchor="middle">users in the directory</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => p[1] > 0).sort((a, b) => a[0] - b[0]);
    const color = COLORS[i % COLORS.length];
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" ${s.name.startsWith('ldapsearch') ? 'stroke-dasharray="5 4"' : ''} points="${pts.map((p) => `${px(p[0])},${py(p[1])}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${px(p[0])}" cy="${py(p[1])}" r="3" fill="${color}"/>`);
    out.push(`<rect x="${x0 + PAD.left + 8}" y="${PAD.top + 6 + i * 16}" width="10" height="3" fill="${color}"/><text x="${x0 + PAD.left + 22}" y="${PAD.top + 11 + i * 16}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function drawChart(result: Result): string {
  const pick = (store: string, step: string, field: 'seconds' | 'peakRssMb'): Array<[number, number]> =>
    result.rows.filter((r) => r.store === store && r.step.startsWith(step)).map((r) => [r.size, (r[field] ?? 0) as number]);
  const time: Series[] = [
    { name: 'ldapsearch floor', points: pick('-', 'ldapsearch floor', 'seconds') },
    { name: 'import, SQLite', points: pick('sqlite', 'initial import', 'seconds') },
    { name: 'import, PostgreSQL', points: pick('postgres', 'initial import', 'seconds') },
    { name: 'no-op resync, SQLite', points: pick('sqlite', 'no-op resync', 'seconds') },
    { name: 'delta, 100 changes, SQLite', points: pick('sqlite', '100 changes, delta', 'seconds') },
  ].filter((s) => s.points.length);
  const memory: Series[] = [
    { name: 'import, SQLite', points: pick('sqlite', 'initial import', 'peakRssMb') },
    { name: 'import, PostgreSQL', points: pick('postgres', 'initial import', 'peakRssMb') },
    { name: 'delta, SQLite', points: pick('sqlite', '100 changes, delta', 'peakRssMb') },
  ].filter((s) => s.points.length);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 20}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="#fff"/>
${panel(0, 'Sync time (log scale)', 's', time)}
${panel(W, 'Peak RSS of the sync process', 'MB', memory)}
<text x="${W}" y="${H + 14}" text-anchor="middle" fill="#666">ldapsync benchmark, ${esc(result.date.slice(0, 10))}; one run on this machine (npm run bench)</text>
</svg>
`;
}
