/** Attribute names lower-cased; values as strings, or bytes for binary attributes. */
export interface DirectoryEntry {
  dn: string;
  attributes: Map<string, Array<string | Buffer>>;
}
