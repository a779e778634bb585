/**
 * Finds import cycles among the files under the given folders (default `src`) and checks the
 * layer rules src/README.md states: domain/ imports no other layer, store/ no auth/, and api/
 * neither the store nor the sync engine. Type-only imports count: a cycle of types is still a
 * cycle a reader has to untangle; domain/ loads no package at all. Exits 1 and prints each cycle or breach found.
 *
 *   node tools/check-cycles.ts [folder...]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g;

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Each file's imports: relative ones resolved to paths, packages (and node: modules) as named. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1]!.startsWith('.') ? resolve(dirname(file), m[1]!) : `package:${m[1]!}`));
}

/** Each cycle once, as the files in import order, starting from its smallest name. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') {
        const cycle = path.slice(path.indexOf(next));
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const key = [...cycle.slice(start), ...cycle.slice(0, start)];
        found.set(key.join(' -> '), key);
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return [...found.values()];
}

/** A layer a file may not import, as src/README.md says. */
const FORBIDDEN: Array<{ from: string; to: string; why: string }> = [
  { from: 'src/domain/', to: 'src/', why: 'domain/ imports no other layer' },
  { from: 'src/domain/', to: 'package:', why: 'domain/ does no I/O, so it loads no library' },
  { from: 'src/store/', to: 'src/auth/', why: 'the store is handed its key ring, it does not load it' },
  { from: 'src/api/', to: 'src/store/', why: 'routes ask the services, not the store' },
  { from: 'src/api/', to: 'src/sync/engine.ts', why: 'routes ask the services, not the engine' },
];

function breaches(graph: Map<string, string[]>, root: string): string[] {
  const out: string[] = [];
  for (const [file, targets] of graph) {
    const from = relative(root, file);
    for (const target of targets) {
      const to = target.startsWith('package:') ? target : relative(root, target);
      for (const rule of FORBIDDEN) {
        if (!from.startsWith(rule.from) || !to.startsWith(rule.to)) continue;
        if (rule.from === 'src/domain/' && to.startsWith('src/domain/')) continue;
        out.push(`${from} imports ${to}: ${rule.why}`);
      }
    }
  }
  return out;
}

if (import.meta.main) {
  const root = process.cwd();
  const folders = process.argv.length > 2 ? process.argv.slice(2) : ['src'];
  const graph = new Map<string, string[]>();
  for (const folder of folders) for (const file of filesUnder(resolve(root, folder))) graph.set(file, importsOf(file));
  const cycles = findCycles(graph);
  const broken = breaches(graph, root);
  for (const c of cycles) console.log(`cycle: ${[...c, c[0]!].map((f) => relative(root, f)).join(' -> ')}`);
  for (const b of broken) console.log(`layer: ${b}`);
  console.log(`${graph.size} files, ${cycles.length} import cycles, ${broken.length} layer breaches`);
  process.exit(cycles.length + broken.length > 0 ? 1 : 0);
}
