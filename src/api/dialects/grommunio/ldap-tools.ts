/**
 * /domains/ldap/search, importUser, check and dump, and PUT .../users/{userID}/downsync. Each
 * acts only within the domains the caller may see: no hit, dump or outcome names another tenant.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import type { Domain } from '../../../domain/tenancy.ts';
import { decodeLdapId, encodeLdapId } from '../../../domain/ldap-id.ts';
import { DirectoryError } from '../../../directory/errors.ts';
import type { DirectorySource } from '../../../directory/source.ts';
import { createMapper } from '../../../sync/mapper.ts';
import { domainOf } from '../../../domain/user.ts';
import { caller, domainFor, requireCaller } from './session.ts';
import { badRequest, conflict, forbidden, fromCode, notFound, unavailable } from './errors.ts';
import { DomainUserParams, userView } from './shapes.ts';
import { deleteOrphans } from '../../../services/orphans.ts';
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
function dumpText(dn: string, attributes: Map<string, Array<string | Buffer>>): string {
  const lines = [`dn: ${dn}`];
  for (const [name, values] of attributes) {
    for (const v of values) {
      try { lines.push(ldifValue(name, v)); } catch { lines.push(`${name}:: ${Buffer.from(v).toString('base64')}`); } // not UTF-8: binary
    }
  }
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
      const all = await ctx.store.domains.list(q.organization !== undefined ? { orgId: q.organization } : {});
      domains = all.filter((d) => (write ? who.canWriteDomain(d) : who.canReadDomain(d)));
      // Nothing the caller may act on is a refusal (403), not a missing configuration.
      if (domains.length === 0 && (all.length > 0 || !who.canReadSystem)) throw forbidden();
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
        const hits = await directoryCall(request, () => ctx.ldap.search(source, request.query.query, limit - data.length, names));
        data.push(...hits.map((h) => ({ ID: encodeLdapId(h.externId), name: h.name, email: h.email, type: 'user', error: h.error })));
        if (data.length >= limit) break;
      }
      return { data };
    });

    app.get('/domains/ldap/dump', { schema: { querystring: IdQuery } }, async (request) => {
      const id = decode(request.query.ID);
      for (const { source, domains } of await targets(request, request.query, false)) {
        const entry = await directoryCall(request, () => ctx.ldap.dump(source, id, new Set(domains.map((d) => d.name))));
        if (entry) return { data: dumpText(entry.dn, entry.attributes) };
      }
      throw notFound('LDAP object not found');
    });

    app.post('/domains/ldap/importUser', { schema: { querystring: ImportQuery } }, async (request, reply) => {
      const id = decode(request.query.ID);
      for (const { source, domains } of await targets(request, request.query, true)) {
        const entry = await directoryCall(request, () => ctx.ldap.entry(source, id, new Set(domains.map((d) => d.name))));
        if (!entry) continue;
        const mapped = createMapper(source).map(entry);
        const domain = domains.find((d) => mapped.ok && d.name === domainOf(mapped.user.username))!;
        const outcome = await directoryCall(request, () => ctx.ldap.importUser(domain.id, id, { force: request.query.force === true, lang: request.query.lang ?? '' }));
        if (!outcome) throw notFound('LDAP object not found');
        if (outcome.code === 409) throw conflict(outcome.message);
        if (outcome.code >= 400) throw fromCode(outcome.code, outcome.message);
        return reply.status(outcome.code === 201 ? 201 : 200).send(userView((await ctx.store.users.get(outcome.ID))!));
      }
      throw notFound('LDAP object not found');
    });

    app.get('/domains/ldap/check', { schema: { querystring: CheckQuery } }, async (request) => {
      const domainIds = (await targets(request, request.query, false)).flatMap((g) => g.domains.map((d) => d.id));
      const orphans = await directoryCall(request, () => ctx.ldap.orphans(domainIds));
      // What admin-web's dialog shows for each: "<displayname> <username>", and its status.
      const users = await Promise.all(orphans.map((o) => ctx.store.users.get(o.ID)));
      return { orphaned: orphans.map((o, i) => ({ ...o, displayname: users[i]?.displayName ?? o.username, status: users[i]?.status === 'deactivated' ? 1 : 0 })) };
    });

    app.delete('/domains/ldap/check', { schema: { querystring: CheckQuery } }, async (request) => {
      const who = caller(request);
      const domainIds = (await targets(request, request.query, true)).flatMap((g) => g.domains.map((d) => d.id));
      // Only linked users whose entry a complete scan did not find: never a local user.
      const { deleted, before } = await directoryCall(request, () => deleteOrphans(ctx, domainIds, request.query.userID));
      for (const o of deleted) {
        const user = before.get(o.ID);
        await ctx.store.audit.record({ actor: who.username, action: 'user.delete-orphan', targetType: 'user', targetId: String(o.ID), before: user && userView(user), after: null });
      }
      return { deleted };
    });

    app.put('/domains/:domainID/users/:userID/downsync', { schema: { params: DomainUserParams } }, async (request) => {
      const domain = await domainFor(ctx, caller(request), request.params.domainID, true);
      const user = await ctx.store.users.get(request.params.userID);
      if (!user || user.domainId !== domain.id) throw notFound('User not found');
      if (!user.externId) throw badRequest(['the user is not linked to a directory entry'], 'User is not linked to LDAP');
      const outcome = await directoryCall(request, () => ctx.ldap.syncUser(domain.id, user.externId!));
      if (!outcome) throw notFound('User not found');
      if (outcome.code >= 400) throw fromCode(outcome.code, outcome.message);
      return userView((await ctx.store.users.get(user.id))!);
    });
  };
}
