/**
 * /domains/ldap/search, importUser, check and dump, and PUT .../users/{userID}/downsync. Each
 * acts only within the domains the caller may see: no hit, dump or outcome names another tenant.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Domain } from '../../../store/repositories/domains.ts';
import { decodeLdapId, encodeLdapId } from '../../../domain/ldap-id.ts';
import { DirectoryError } from '../../../directory/errors.ts';
import type { DirectorySource } from '../../../directory/source.ts';
import { createMapper } from '../../../sync/mapper.ts';
import { domainOf } from '../../../domain/user.ts';
import { caller, domainFor, requireCaller } from '../../grommunio/session.ts';
import { badRequest, conflict, fromCode, notFound, unavailable } from '../../grommunio/errors.ts';
import { DomainUserParams, userView } from './shapes.ts';

const Scope = { domain: Type.Optional(Type.Integer({ minimum: 0 })), organization: Type.Optional(Type.Integer({ minimum: 0 })) };
const SearchQuery = Type.Object({ ...Scope, query: Type.String({ minLength: 3, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]*$' }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, { additionalProperties: true });
const IdQuery = Type.Object({ ...Scope, ID: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: true });
const ImportQuery = Type.Object({ ...Scope, ID: Type.String({ minLength: 1, maxLength: 256 }), force: Type.Optional(Type.Boolean()), lang: Type.Optional(Type.String({ maxLength: 35, pattern: '^([A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*)?$' })) }, { additionalProperties: true });
const CheckQuery = Type.Object({ ...Scope, userID: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: true });

/** A directory failure answers 503 with its reason; anything else is a server error. */
async function directoryCall<T>(work: () => Promise<T>): Promise<T> {
  try { return await work(); } catch (e) {
    if (e instanceof DirectoryError && e.failure === 'config') throw badRequest([e.message], 'LDAP configuration error');
    if (e instanceof DirectoryError) throw unavailable(`Directory unavailable: ${e.message}`);
    throw e;
  }
}

/** LDIF-like text of an entry: binary values in base64. */
function dumpText(dn: string, attributes: Map<string, Array<string | Buffer>>): string {
  const lines = [`dn: ${dn}`];
  for (const [name, values] of attributes) for (const v of values) lines.push(typeof v === 'string' ? `${name}: ${v}` : `${name}:: ${v.toString('base64')}`);
  return lines.join('\n');
}

export function ldapToolRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  /** The domains a request acts on, grouped by the source they sync from. */
  async function targets(request: FastifyRequest, q: { domain?: number; organization?: number }, write: boolean): Promise<Array<{ source: DirectorySource; domains: Domain[] }>> {
    const who = caller(request);
    let domains: Domain[];
    if (q.domain !== undefined) {
      await domainFor(ctx, who, q.domain, write);
      domains = [(await ctx.store.domains.get(q.domain))!];
    } else {
      domains = (await ctx.store.domains.list(q.organization !== undefined ? { orgId: q.organization } : {})).filter((d) => (write ? who.canWriteDomain(d) : who.canReadDomain(d)));
    }
    const groups = new Map<number, { source: DirectorySource; domains: Domain[] }>();
    for (const d of domains) {
      const saved = await ctx.store.sources.effective(d.orgId);
      if (!saved) continue;
      const group = groups.get(saved.orgId) ?? { source: (await ctx.ldap.sourceOf(d.orgId))!, domains: [] };
      group.domains.push(d);
      groups.set(saved.orgId, group);
    }
    if (groups.size === 0) throw unavailable('LDAP is not configured for these domains');
    return [...groups.values()];
  }

  const decode = (id: string): Uint8Array => {
    const bytes = decodeLdapId(id);
    if (!bytes) throw badRequest(['ID: not a well-formed LDAP object ID']);
    return bytes;
  };

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/domains/ldap/search', { schema: { querystring: SearchQuery } }, async (request) => {
      const limit = request.query.limit ?? 50;
      const data: Array<Record<string, unknown>> = [];
      for (const { source, domains } of await targets(request, request.query, false)) {
        const names = new Set(domains.map((d) => d.name));
        const hits = await directoryCall(() => ctx.ldap.search(source, request.query.query, limit - data.length, names));
        data.push(...hits.map((h) => ({ ID: encodeLdapId(h.externId), name: h.name, email: h.email, type: 'user', error: h.error })));
        if (data.length >= limit) break;
      }
      return { data };
    });

    app.get('/domains/ldap/dump', { schema: { querystring: IdQuery } }, async (request) => {
      const id = decode(request.query.ID);
      for (const { source, domains } of await targets(request, request.query, false)) {
        const entry = await directoryCall(() => ctx.ldap.entry(source, id, new Set(domains.map((d) => d.name))));
        if (entry) return { data: dumpText(entry.dn, entry.attributes) };
      }
      throw notFound('LDAP object not found');
    });

    app.post('/domains/ldap/importUser', { schema: { querystring: ImportQuery } }, async (request, reply) => {
      const id = decode(request.query.ID);
      for (const { source, domains } of await targets(request, request.query, true)) {
        const entry = await directoryCall(() => ctx.ldap.entry(source, id, new Set(domains.map((d) => d.name))));
        if (!entry) continue;
        const mapped = createMapper(source).map(entry);
        const domain = domains.find((d) => mapped.ok && d.name === domainOf(mapped.user.username))!;
        const outcome = await directoryCall(() => ctx.ldap.importUser(domain.id, id, { force: request.query.force === true, lang: request.query.lang ?? '' }));
        if (!outcome) throw notFound('LDAP object not found');
        if (outcome.code === 409) throw conflict(outcome.message);
        if (outcome.code >= 400) throw fromCode(outcome.code, outcome.message);
        return reply.status(outcome.code === 201 ? 201 : 200).send(userView((await ctx.store.users.get(outcome.ID))!));
      }
      throw notFound('LDAP object not found');
    });

    app.get('/domains/ldap/check', { schema: { querystring: CheckQuery } }, async (request) => {
      const domainIds = (await targets(request, request.query, false)).flatMap((g) => g.domains.map((d) => d.id));
      return { orphaned: await directoryCall(() => ctx.ldap.orphans(domainIds)) };
    });

    app.delete('/domains/ldap/check', { schema: { querystring: CheckQuery } }, async (request) => {
      const who = caller(request);
      const domainIds = (await targets(request, request.query, true)).flatMap((g) => g.domains.map((d) => d.id));
      // Only linked users whose entry a complete scan did not find: never a local user.
      const orphans = (await directoryCall(() => ctx.ldap.orphans(domainIds))).filter((o) => request.query.userID === undefined || o.ID === request.query.userID);
      for (const o of orphans) {
        const before = await ctx.store.users.get(o.ID);
        await ctx.store.users.delete(o.ID);
        await ctx.store.audit.record({ actor: who.username, action: 'user.delete-orphan', targetType: 'user', targetId: String(o.ID), before: before && userView(before), after: null });
      }
      return { deleted: orphans };
    });

    app.put('/domains/:domainID/users/:userID/downsync', { schema: { params: DomainUserParams } }, async (request) => {
      const domain = await domainFor(ctx, caller(request), request.params.domainID, true);
      const user = await ctx.store.users.get(request.params.userID);
      if (!user || user.domainId !== domain.id) throw notFound('User not found');
      if (!user.externId) throw badRequest(['the user is not linked to a directory entry'], 'User is not linked to LDAP');
      const outcome = await directoryCall(() => ctx.ldap.syncUser(domain.id, user.externId!));
      if (!outcome) throw notFound('User not found');
      if (outcome.code >= 400) throw fromCode(outcome.code, outcome.message);
      return userView((await ctx.store.users.get(user.id))!);
    });
  };
}
