/**
 * Validates our answers against grommunio's own OpenAPI file. grommunio publishes it as
 * `res/openapi.yaml` in grommunio-admin-api; it is not ours to ship, so it stays out of this
 * repository: `GROMMUNIO_OPENAPI=path` points at a copy, else the reference copy beside the
 * checkout (`../shared/reference/grommunio-openapi.yaml`) is used when present. Without either,
 * the shape checks are recorded and reported as one skipped test with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const SPEC_PATH = process.env.GROMMUNIO_OPENAPI || new URL('../../../shared/reference/grommunio-openapi.yaml', import.meta.url).pathname;

/** Why grommunio's schema checks cannot run here, or false when they can (a `skip` option). */
export const grommunioSpecMissing: string | false = existsSync(SPEC_PATH) ? false
  : `grommunio's OpenAPI file is not at ${SPEC_PATH}: set GROMMUNIO_OPENAPI to a copy of grommunio-admin-api's res/openapi.yaml`;

/** The shape checks passed over because the file is missing, for the skipped test to name. */
export const uncheckedShapes: string[] = [];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let spec: Json | null = null;
let ajv: Ajv | null = null;
const cache = new Map<string, ValidateFunction>();

function load(): { spec: Json; ajv: Ajv } {
  if (!spec || !ajv) {
    spec = parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
    ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema({ $id: 'grommunio', components: { schemas: rewriteRefs(spec.components.schemas) } });
  }
  return { spec, ajv };
}

/** Points refs at the added components, and turns OpenAPI 3.0's `nullable` into JSON Schema. */
const rewriteRefs = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === 'object') {
    const { nullable, ...rest } = node as Json;
    const out = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `grommunio${v}` : rewriteRefs(v)]));
    return nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
  }
  return node;
};

/** Throws with the schema errors when `body` does not fit grommunio's schema for that answer. */
export function assertGrommunioShape(path: string, method: string, status: number, body: unknown): void {
  const key = `${method} ${path} ${status}`;
  if (grommunioSpecMissing) { uncheckedShapes.push(key); return; }
  const { spec: s, ajv: a } = load();
  let validate = cache.get(key);
  if (!validate) {
    const op = s.paths[path]?.[method.toLowerCase()];
    if (!op) throw new Error(`grommunio's spec has no ${method} ${path}`);
    let response = op.responses[String(status)];
    if (!response) throw new Error(`grommunio's spec has no ${status} answer for ${method} ${path}`);
    if (response.$ref) response = s.components.responses[response.$ref.split('/').pop()];
    const schema = response.content?.['application/json']?.schema ?? {};
    validate = a.compile(rewriteRefs(schema) as object);
    cache.set(key, validate);
  }
  if (!validate(body)) throw new Error(`${key} does not fit grommunio's schema: ${a.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
}
