/**
 * Escaping for values that reach a DN (RFC 4514). Filters are built from ldapts filter objects,
 * which encode values as BER octets, so no filter string is ever assembled from user input.
 */
import { EqualityFilter, OrFilter, AndFilter, SubstringFilter, type Filter, FilterParser } from 'ldapts';

/** Escapes one RDN attribute value for use inside a DN string. */
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

export const equals = (attribute: string, value: string | Buffer): Filter => new EqualityFilter({ attribute, value });

export const anyOf = (filters: Filter[]): Filter => (filters.length === 1 ? filters[0]! : new OrFilter({ filters }));

export const allOf = (filters: Filter[]): Filter => (filters.length === 1 ? filters[0]! : new AndFilter({ filters }));

/** `(attr=*value*)` with the value taken literally. */
export const contains = (attribute: string, value: string): Filter => new SubstringFilter({ attribute, any: [value] });

/** An admin-configured filter string (validated when the source was saved). */
export const configured = (filter: string): Filter => FilterParser.parseString(filter);
