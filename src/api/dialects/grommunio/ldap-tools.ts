/**
 * /domains/ldap/search, importUser, check and dump, and PUT .../users/{userID}/downsync. Each
 * acts only within the domains the caller may see: no hit, dump or outcome names another tenant.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { decodeLdapId, encodeLdapId } from '../../../domain/ldap-id.ts';
import { DirectoryError } from '../../../directory/errors.ts';
import { caller, requireCaller } from './session.ts';
import { badRequest, unavailable } from './errors.ts';
import { DomainUserParams, userView } from './shapes.ts';
import { causeFor } from '../../../services/test-answers.ts';

const Scope = { domain: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })), organization: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })) };
const SearchQuery = Type.Object({ ...Scope, query: Type.String({ minLength: 3, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: true });
const IdQuery = Type.Object({ ...Scope, ID: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: true });
const ImportQuery = Type.Object({ ...Scope, ID: Type.String({ minLength: 1, maxLength: 256 }), force: Type.Optional(Type.Boolean()), lang: Type.Optional(Type.String({ maxLength: 35, pattern: '^([A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*)?$' })) }, { additionalProperties: true });
const CheckQuery = Type.Object({ ...Scope, userID: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })) }, { additionalProperties: true });

/** A directory failure answers 503 with its reason (for a tenant admin, without its cause). */
async function directoryCall<T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> {
  try { return await work(); } catch (e) {
    if (e instanceof DirectoryError && e.failure === 'config') throw badRequest([e.message], 'LDAP configuration error');
    if (!(e instanceof DirectoryError)) throw e;
    request.log.info({ cause: e.message }, 'directory call failed');
    throw unavailable(causeFor(caller(request), `Directory unavailable: ${e.message}`));
  }
}

/** LDIF's SAFE-STRING: printable, not starting with a space, ':' or '<', not ending in a space. */
const SAFE_STRING = /^(?![ :<])[^\p{Cc}]*(?<! )$/u;

/** The value as LDIF writes it: as text when LDIF allows, else in base64 (entryUUID reads as itself, objectGUID does not). */
function ldifValue(name: string, value: string | Buffer): string {
  const text = typeof value === 'string' ? value : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value, { stream: false });
  return SAFE_STRING.test(text) ? `${name}: ${text}` : `${name}:: ${Buffer.from(text, 'utf8').toString('base64')}`;
}

/** LDIF-like text of an entry. */
function dumpText(dn: string, attributes: ReadonlyMap<string, Array<string | Buffer>>): string {
  const lines = [`dn: ${dn}`];
  for (const [name, values] of attributes) {
    for (const v of values) {
      try { lines.push(ldifValue(name, v)); } catch { lines.push(`${name}:: ${Buffer.from(v).toString('base64')}`); } // not UTF-8: binary
    }
  }
  return lines.join('\n');
}

export function ldapToolRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  const tools = ctx.services.ldapTools;

  const decode = (id: string): Uint8Array => {
    const bytes = decodeLdapId(id);
    if (!bytes) throw badRequest(['ID: not a well-formed LDAP object ID']);
    return bytes;
  };

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/domains/ldap/search', { schema: { querystring: SearchQuery } }, async (request) => {
      const hits = await directoryCall(request, () => tools.search(caller(request), request.query, request.query.query, request.query.limit ?? 50));
      return { data: hits.map((h) => ({ ID: encodeLdapId(h.externId), name: h.name, email: h.email, type: 'user', error: h.error })) };
    });

    app.get('/domains/ldap/dump', { schema: { querystring: IdQuery } }, async (request) => {
      const id = decode(request.query.ID);
      const entry = await directoryCall(request, () => tools.dump(caller(request), request.query, id));
      return { data: dumpText(entry.dn, entry.attributes) };
    });

    app.post('/domains/ldap/importUser', { schema: { querystring: ImportQuery } }, async (request, reply) => {
      const id = decode(request.query.ID);
      const { user, created } = await directoryCall(request, () => tools.importUser(caller(request), request.query, id, { force: request.query.force === true, lang: request.query.lang ?? '' }));
      return reply.status(created ? 201 : 200).send(userView(user));
    });

    app.get('/domains/ldap/check', { schema: { querystring: CheckQuery } }, async (request) => {
      const orphans = await directoryCall(request, () => tools.orphans(caller(request), request.query));
      // What admin-web's dialog shows for each: "<displayname> <username>", and its status.
      return { orphaned: orphans.map(({ user, ...o }) => ({ ...o, displayname: user?.displayName ?? o.username, status: user?.status === 'deactivated' ? 1 : 0 })) };
    });

    app.delete('/domains/ldap/check', { schema: { querystring: CheckQuery } }, async (request) => {
      // Only linked users whose entry a complete scan did not find: never a local user.
      return { deleted: await directoryCall(request, () => tools.deleteOrphans(caller(request), request.query, request.query.userID, userView)) };
    });

    app.put('/domains/:domainID/users/:userID/downsync', { schema: { params: DomainUserParams } }, async (request) => {
      return userView(await directoryCall(request, () => tools.syncUser(caller(request), request.params.domainID, request.params.userID)));
    });
  };
}
