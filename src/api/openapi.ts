/**
 * The OpenAPI document, completed: the route schemas give paths, parameters and bodies; this
 * adds what a client needs besides and the routes do not say. How to sign in (security schemes),
 * every answer an operation can give with its shape (202, 400, 401, 403, 404, 409, 429, 503),
 * operation IDs and summaries, the 2FA headers, /login's two bodies and /avatar/{username}.
 * One place, so the routes stay thin and both dialects are described alike.
 */
import { OPERATION_SUMMARIES } from './openapi-summaries.ts';
import { VERSION } from '../version.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PREFIX = '/api/v1';

/** Paths of the Rocket.Chat dialect (besides /login and /logout, which both dialects share). */
const ROCKETCHAT = /^\/api\/v1\/(me|users\.|ldap\.|settings\/|permissions\.|roles\.)|^\/avatar\//;
/** Routes that ask for the second factor (x-2fa-code, x-2fa-method). */
const SECOND_FACTOR = new Set(['POST /api/v1/ldap.syncNow', 'POST /api/v1/users.2fa.disableEmail', 'POST /api/v1/users.2fa.disableTotp', 'POST /api/v1/login']);
/** Routes that answer 202 with a background task. */
const QUEUES_TASK = /\/ldap\/downsync$/;
/** Routes that reach the directory, so it may be unavailable. */
const REACHES_DIRECTORY = /\/ldap(\/|$)|\/ldap\.(syncNow|testConnection|testSearch)$|\/users\/\{userID\}\/downsync$/;
/** grommunio routes that can find the thing taken or busy. */
const CONFLICTS = /\/ldap\/downsync$|\/ldap\/importUser$|^\/api\/v1\/system\/(orgs|domains)$|^\/api\/v1\/tasq\/tasks\/\{ID\}(\/approve|\/reject)?$|\/users\/\{userID\}\/downsync$/;

export const SECURITY_SCHEMES: Json = {
  grommunioCookie: { type: 'apiKey', in: 'cookie', name: 'grommunioAuthJwt', description: 'The session cookie POST /api/v1/login sets (grommunio dialect).' },
  csrfToken: { type: 'apiKey', in: 'header', name: 'X-Csrf-Token', description: 'The `csrf` value POST /api/v1/login returned; every non-GET request made with the cookie needs it.' },
  bearerJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `grommunioAuthJwt` value as a bearer token, instead of the cookie (no CSRF token then).' },
  rocketchatToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'The `authToken` of a Rocket.Chat sign-in; goes with X-User-Id.' },
  rocketchatUser: { type: 'apiKey', in: 'header', name: 'X-User-Id', description: 'The `userId` of a Rocket.Chat sign-in; goes with X-Auth-Token.' },
  rocketchatTokenQuery: { type: 'apiKey', in: 'query', name: 'rc_token', description: 'The auth token as a query parameter, as Rocket.Chat accepts it for avatars; goes with rc_uid.' },
  rocketchatUserQuery: { type: 'apiKey', in: 'query', name: 'rc_uid', description: 'The user ID as a query parameter, for avatars; goes with rc_token.' },
};

const error = (properties: Json, required: string[], description: string): Json => ({ type: 'object', description, properties, required });

export const ERROR_SCHEMAS: Json = {
  GrommunioError: error({
    message: { type: 'string', description: 'What went wrong, for people.' },
    errors: { type: 'array', items: { type: 'string' }, description: 'Each problem with the request (400).' },
    error: { type: 'string', description: 'The reason a sign-in or token was refused (401).' },
  }, ['message'], "The grommunio dialect's error answer."),
  TaskQueued: error({
    message: { type: 'string', example: 'Created background task #12' },
    taskID: { type: 'integer', description: 'Poll GET /api/v1/tasq/tasks/{ID} for its state and outcomes.' },
  }, ['message', 'taskID'], 'The run goes on in the background.'),
  RocketChatError: error({
    success: { type: 'boolean', enum: [false] },
    error: { type: 'string', description: 'The message, or `<reason> [<errorType>]` for a Meteor error.' },
    errorType: { type: 'string', description: 'e.g. totp-required, totp-invalid, error-not-authorized, LDAP_disabled.' },
    details: { type: 'object', additionalProperties: true, description: 'For totp-required: method, codeGenerated, codeExpires.' },
  }, ['success', 'error'], "The Rocket.Chat dialect's error answer."),
  RocketChatUnauthorized: error({
    status: { type: 'string', enum: ['error'] },
    message: { type: 'string', example: 'You must be logged in to do this.' },
    error: { type: 'string' },
    details: { type: 'object', additionalProperties: true },
  }, ['status', 'message'], 'Not signed in, or the sign-in was refused.'),
};

const json = (ref: string, description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });

/** The answers an operation can give besides its success, with their shapes. */
function errorResponses(method: string, path: string): Json {
  const rocket = ROCKETCHAT.test(path);
  const shape = rocket ? 'RocketChatError' : 'GrommunioError';
  const out: Json = {};
  if (QUEUES_TASK.test(path)) out['202'] = json('TaskQueued', 'Not finished within `timeout`: it runs on as a background task (also: a run held for approval, or the run already going).');
  out['400'] = json(shape, rocket ? 'The request was refused, e.g. a missing permission (error-not-authorized), a second factor required or wrong (totp-required, totp-invalid), bad parameters.' : 'Bad parameters or body; `errors` lists each problem. A sync of a source set up wrong (LDAP configuration error).');
  out['401'] = json(rocket ? 'RocketChatUnauthorized' : 'GrommunioError', rocket ? 'Not signed in, or the token is not valid.' : 'Not signed in, the session expired, or the CSRF token is missing or wrong.');
  const open = path === `${PREFIX}/login` || path === `${PREFIX}/logout` || path === `${PREFIX}/profile` || path === `${PREFIX}/me` || path.startsWith(`${PREFIX}/users.2fa.`);
  if (!open) out['403'] = json(shape, 'Signed in, but without the permission for this (or for this domain or organization).');
  if (path.includes('{') || /\/ldap\/(dump|importUser|check)$|\/users\.info$/.test(path)) out['404'] = json(shape, 'No such object, or none the caller may see.');
  if (!rocket && CONFLICTS.test(path)) out['409'] = json(shape, 'Taken or busy: a name that exists, a local user of the same name, another run of the domain in progress, a task still running.');
  if (path === `${PREFIX}/login`) out['429'] = json('GrommunioError', 'Too many failed sign-ins for this account or address; try again later.');
  if (REACHES_DIRECTORY.test(path) && method !== 'DELETE') out['503'] = json(shape, 'The directory could not be reached or did not answer (timeout, TLS, bind refused); nothing was changed.');
  return out;
}

function security(method: string, path: string): Json[] {
  if (path === `${PREFIX}/login`) return [];
  if (path.startsWith('/avatar/')) return [{ rocketchatToken: [], rocketchatUser: [] }, { rocketchatTokenQuery: [], rocketchatUserQuery: [] }, { grommunioCookie: [] }, { bearerJwt: [] }];
  if (ROCKETCHAT.test(path)) return [{ rocketchatToken: [], rocketchatUser: [] }];
  if (path === `${PREFIX}/logout`) return [{ grommunioCookie: [], csrfToken: [] }, { bearerJwt: [] }, { rocketchatToken: [], rocketchatUser: [] }];
  return method === 'GET' ? [{ grommunioCookie: [] }, { bearerJwt: [] }] : [{ grommunioCookie: [], csrfToken: [] }, { bearerJwt: [] }];
}

const SECOND_FACTOR_HEADERS: Json[] = [
  { in: 'header', name: 'x-2fa-code', required: false, schema: { type: 'string', maxLength: 64 }, description: 'The second factor: a TOTP code or a backup code, an emailed code, or for the password method the SHA-256 hex of the password. Without it the answer is 400 totp-required naming the method.' },
  { in: 'header', name: 'x-2fa-method', required: false, schema: { type: 'string', enum: ['totp', 'email', 'password'] }, description: 'Which method the code is for.' },
];

/** grommunio's form, or Rocket.Chat's JSON: one path, two bodies. */
const LOGIN_BODY: Json = {
  required: true,
  content: {
    'application/x-www-form-urlencoded': {
      schema: { type: 'object', required: ['user', 'pass'], properties: { user: { type: 'string', maxLength: 320, description: 'The account name.' }, pass: { type: 'string', format: 'password', maxLength: 1024 } } },
    },
    'application/json': {
      schema: {
        type: 'object', description: 'Rocket.Chat: a user and password, or a token to resume.',
        properties: {
          user: { type: 'string', maxLength: 320 }, username: { type: 'string', maxLength: 320 }, password: { type: 'string', format: 'password', maxLength: 1024 },
          code: { type: 'string', maxLength: 64, description: 'The second factor, when the account has one (or the x-2fa-code header).' }, resume: { type: 'string', description: 'An authToken to sign in again with.' },
        },
      },
    },
  },
};

/** `postDomainsByDomainIDLdapDownsync`: the method and the path's words, stable and URL-safe. */
export function operationId(method: string, path: string): string {
  const words = path.replace(PREFIX, '').split(/[/.]/).filter(Boolean)
    .map((s) => { const name = s.replace(/^\{_?|\}$/g, ''); return s.startsWith('{') ? `By${name[0]!.toUpperCase()}${name.slice(1)}` : s; })
    .flatMap((s) => s.split(/[^A-Za-z0-9]+/)).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

const AVATAR_RESPONSES: Json = {
  200: { description: 'The image (its SHA-256 as ETag), or an SVG of the initial when there is none.', headers: { ETag: { schema: { type: 'string' } } }, content: { 'image/jpeg': { schema: { type: 'string', format: 'binary' } }, 'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/svg+xml': { schema: { type: 'string' } } } },
  304: { description: 'Not modified: If-None-Match named the current image.' },
  401: json('RocketChatUnauthorized', 'Not signed in.'),
  404: json('RocketChatError', 'No such user, or none the caller may see.'),
};

/** Completes one operation in place. */
function completeOperation(method: string, path: string, op: Json): void {
  op.operationId ??= operationId(method, path);
  op.summary ??= OPERATION_SUMMARIES[`${method} ${path}`] ?? `${method} ${path.replace(PREFIX, '')}`;
  op.tags ??= [path.startsWith('/avatar/') || ROCKETCHAT.test(path) ? 'rocketchat' : /\/ldapsync\/|\/(approve|reject)$|\/ldap\/test$/.test(path) ? 'ldapsync' : 'grommunio'];
  op.security = security(method, path);
  if (path.startsWith('/avatar/')) {
    op.parameters = [...(op.parameters ?? []), { in: 'header', name: 'If-None-Match', required: false, schema: { type: 'string' } }];
    op.responses = AVATAR_RESPONSES;
    return;
  }
  if (path === `${PREFIX}/login`) op.requestBody = LOGIN_BODY;
  if (SECOND_FACTOR.has(`${method} ${path}`)) op.parameters = [...(op.parameters ?? []), ...SECOND_FACTOR_HEADERS];
  const ok = op.responses?.['200'] ?? {};
  if (ok.description === 'Default Response') ok.description = 'Done.';
  op.responses = { 200: ok, ...errorResponses(method, path) };
}

/** swagger's `transformObject`: the generated document, completed. */
export function completeDocument(doc: Json): Json {
  doc.components = { ...doc.components, securitySchemes: SECURITY_SCHEMES, schemas: { ...doc.components?.schemas, ...ERROR_SCHEMAS } };
  doc.tags = [
    { name: 'grommunio', description: "grommunio's admin API (grommunio-admin-api), as its clients use it." },
    { name: 'rocketchat', description: "Rocket.Chat's REST API for LDAP, sign-in, 2FA, users and avatars." },
    { name: 'ldapsync', description: "ldapsync's own additions: previews, approval, sources, audit, connection tests." },
  ];
  doc.servers ??= [{ url: 'http://127.0.0.1:8080', description: 'The default listen address (HOST, PORT)' }];
  for (const [path, item] of Object.entries(doc.paths ?? {}) as Array<[string, Json]>) {
    for (const [method, op] of Object.entries(item)) {
      if (['get', 'put', 'post', 'patch', 'delete'].includes(method)) completeOperation(method.toUpperCase(), path, op as Json);
    }
  }
  return doc;
}

/** swagger's `transform`: /avatar/{username} is hidden from the route table (it lives at the root), shown here. */
export function showAvatarRoute({ schema, url }: { schema: Json; url: string }): { schema: Json; url: string } {
  return url === '/avatar/:username' ? { schema: { ...schema, hide: false }, url } : { schema, url };
}

export const OPENAPI_INFO: Json = {
  title: 'ldapsync',
  version: VERSION,
  description: "LDAP and Active Directory sync. Speaks grommunio's admin API and Rocket.Chat's REST API over one engine.",
  license: { name: 'AGPL-3.0-or-later', url: 'https://www.gnu.org/licenses/agpl-3.0.html' },
};
