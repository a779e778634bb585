/**
 * What admin-web loads before it shows a domain or a user: the languages a user's store may have,
 * the defaults for new users, and the ActiveSync policy. ldapsync creates users from the directory
 * and has no mail store or ActiveSync, so these are read-only answers: the languages it accepts for
 * `lang`, the source's default quota, and grommunio's documented default policy.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, domainFor, requireCaller } from './session.ts';
import { DomainParam } from './shapes.ts';

/** Locales offered for a user's `lang` (import's lang=); any other well-formed tag is taken too. */
const STORE_LANGS = ['en_US', 'en_GB', 'de_DE', 'de_AT', 'de_CH', 'fr_FR', 'it_IT', 'es_ES', 'pt_PT', 'pt_BR', 'nl_NL', 'da_DK', 'sv_SE', 'nb_NO', 'fi_FI',
  'pl_PL', 'cs_CZ', 'sk_SK', 'hu_HU', 'sl_SI', 'hr_HR', 'ro_RO', 'el_GR', 'tr_TR', 'ru_RU', 'uk_UA', 'ja_JP', 'ko_KR', 'zh_CN', 'zh_TW'];

const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });
const storeLangs = STORE_LANGS.map((code) => ({ code, name: languageNames.of(code.replace('_', '-')) ?? code }));

/** grommunio's ActiveSync policy defaults, as its OpenAPI file gives them (ldapsync does not enforce one). */
export const DEFAULT_SYNC_POLICY: Readonly<Record<string, unknown>> = Object.freeze({
  allowbluetooth: 2, allowbrowser: 1, allowcam: 1, allowconsumeremail: 1, allowdesktopsync: 1, allowhtmlemail: 1, allowinternetsharing: 1,
  allowirda: 1, allowpopimapemail: 1, allowremotedesk: 1, allowsimpledevpw: 1, allowsmimeencalgneg: 2, allowsmimesoftcerts: 1, allowstoragecard: 1,
  allowtextmessaging: 1, allowunsignedapps: 1, allowunsigninstallpacks: 1, allowwifi: 1, alphanumpwreq: 0, approvedapplist: [], attenabled: 1,
  devencenabled: 0, devpwenabled: 0, devpwexpiration: 0, devpwhistory: 0, maxattsize: '', maxcalagefilter: 0, maxdevpwfailedattempts: 8,
  maxemailagefilter: 0, maxemailbodytruncsize: -1, maxemailhtmlbodytruncsize: -1, maxinacttimedevlock: 900, mindevcomplexchars: 3,
  mindevpwlenngth: 4, pwrecoveryenabled: 0, reqdevenc: 0, reqencsmimealgorithm: 0, reqencsmimemessages: 0, reqmansyncroam: 0,
  reqsignedsmimealgorithm: 0, reqsignedsmimemessages: 0, reqstoragecardenc: 0, unapprovedinromapplist: [],
});

export function defaultsRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  /** New users' defaults for a domain (or the system): the quota its directory source gives them. */
  const createParams = async (orgId: number | null) => {
    const config = await ctx.services.sources.effective(orgId);
    const quota = Number(((config?.users ?? {}) as Record<string, unknown>).defaultQuota);
    return { data: { user: Number.isInteger(quota) && quota > 0 ? { storagequotalimit: quota } : {}, domain: {} } };
  };

  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/defaults/storeLangs', async () => ({ data: storeLangs }));

    app.get('/defaults/createParams', { schema: { querystring: Type.Object({ domain: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1 })) }, { additionalProperties: true }) } }, async (request) => {
      if (request.query.domain === undefined) return createParams(null);
      return createParams((await domainFor(ctx, caller(request), request.query.domain, false)).orgId);
    });

    app.get('/defaults/createParams/:domainID', { schema: { params: DomainParam } }, async (request) =>
      createParams((await domainFor(ctx, caller(request), request.params.domainID, false)).orgId));

    app.get('/service/syncPolicy/default', async () => ({ data: DEFAULT_SYNC_POLICY }));

    app.get('/domains/:domainID/syncPolicy', { schema: { params: DomainParam } }, async (request) => {
      await domainFor(ctx, caller(request), request.params.domainID, false);
      return { data: DEFAULT_SYNC_POLICY };
    });
  };
}
