/**
 * GET /ldapsync/vendors (ldapsync's own): the directory families a source may name, each with the
 * defaults it gives a source that leaves a field empty, in the shape of the source config itself.
 * The console fills its source form from it, so a vendor added to the presets shows up there.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ApiContext } from '../../context.ts';
import { caller, requireCaller } from './session.ts';
import { vendorChoices, type VendorChoice } from '../../../services/vendors.ts';

const VendorView = Type.Object({
  vendor: Type.String({ description: 'The value of the source config\'s `vendor`.' }),
  label: Type.String({ description: 'The directory family\'s name, for people.' }),
  default: Type.Boolean({ description: 'What a source that names no vendor is.' }),
  objectID: Type.String({ description: 'The stable-ID attribute.' }),
  users: Type.Object({
    username: Type.String(),
    displayName: Type.String(),
    filter: Type.String(),
    aliases: Type.String(),
    searchAttributes: Type.Array(Type.String()),
    templates: Type.Array(Type.String(), { description: 'The attribute templates used when `users.templates` is empty.' }),
  }),
  groups: Type.Object({ groupfilter: Type.String() }),
}, { description: 'A vendor and the defaults it gives a source that leaves these fields empty.' });

const VendorList = Type.Object({ data: Type.Array(VendorView) }, { description: 'Every vendor a source may name.' });

const vendorView = ({ vendor, preset, templates, isDefault }: VendorChoice) => ({
  vendor, label: preset.label, default: isDefault, objectID: preset.objectID,
  users: { username: preset.username, displayName: preset.displayName, filter: preset.filter, aliases: preset.aliases, searchAttributes: [...preset.searchAttributes], templates },
  groups: { groupfilter: preset.groupFilter },
});

export function vendorRoutes(ctx: ApiContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCaller(ctx));

    app.get('/ldapsync/vendors', { schema: { summary: 'The directory vendors a source may name, with their defaults (ldapsync)', response: { 200: VendorList } } }, async (request) =>
      ({ data: vendorChoices(caller(request)).map(vendorView) }));
  };
}
