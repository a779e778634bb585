/**
 * The directory families a source may name, each with its preset: what the console offers in its
 * source form. Shown to whoever may read or set up a source (a system admin or reader, an
 * organization's admin); the presets are no secret, but nobody else has a form to fill.
 */
import type { Caller } from '../auth/permissions.ts';
import { notPermitted } from '../domain/errors.ts';
import { DEFAULT_VENDOR, defaultTemplates, presetFor, VENDORS, type Vendor, type VendorPreset } from '../directory/presets.ts';

export interface VendorChoice {
  vendor: Vendor;
  preset: VendorPreset;
  /** The attribute templates a source of this vendor uses when it names none. */
  templates: string[];
  /** What a source that names no vendor is. */
  isDefault: boolean;
}

export function vendorChoices(who: Caller): VendorChoice[] {
  if (!who.canReadSystem && !who.isAnyOrgAdmin) throw notPermitted('only an admin who may set up a directory source sees the vendor presets');
  return VENDORS.map((vendor) => ({ vendor, preset: presetFor(vendor), templates: defaultTemplates(vendor), isDefault: vendor === DEFAULT_VENDOR }));
}
