/**
 * An entry's attributes decoded without a Map of their own. The entries of one search name the
 * same attributes in the same order (or one of a few orders: some have a photo, some not), so the
 * names are kept once, in a tree of the name sequences seen, each path ending in the layout that
 * says at which position an attribute is; an entry keeps only its values, by position.
 */
import { readElement, value } from './ber-cursor.ts';
import { lowerName } from './entry.ts';

export type Values = Array<string | Buffer>;

/** The attribute names of entries that list them in one order; `unique` false when a name repeats. */
interface Layout { readonly names: string[]; readonly index: Map<string, number>; readonly unique: boolean }

interface NameNode {
  readonly bytes: Uint8Array;
  readonly name: string;
  readonly parent: NameNode | null;
  readonly children: NameNode[];
  layout: Layout | null;
  /** Whether values of this name are kept as bytes, for the binary set last asked with. */
  asBytes: boolean;
  binaryFor: ReadonlySet<string> | null;
}

const roots: NameNode[] = [];
/** A server that names attributes differently in every entry must not grow the tree for ever. */
const MAX_NODES = 4096;
let nodeCount = 0;

function sameBytes(known: Uint8Array, buf: Buffer, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}

/** The node for the name at buf[start, end) below `parent`, added when new; null when the tree is full. */
function nodeFor(siblings: NameNode[], parent: NameNode | null, buf: Buffer, start: number, end: number): NameNode | null {
  for (const node of siblings) if (sameBytes(node.bytes, buf, start, end)) return node;
  if (nodeCount >= MAX_NODES) return null;
  nodeCount++;
  const node: NameNode = { bytes: Uint8Array.prototype.slice.call(buf, start, end), name: lowerName(buf.toString('utf8', start, end)), parent, children: [], layout: null, asBytes: false, binaryFor: null };
  siblings.push(node);
  return node;
}

function layoutOf(last: NameNode): Layout {
  const names: string[] = [];
  for (let n: NameNode | null = last; n !== null; n = n.parent) names.push(n.name);
  names.reverse();
  const index = new Map<string, number>();
  names.forEach((name, position) => index.set(name, position));
  return { names, index, unique: index.size === names.length };
}

/** `;binary` (RFC 4522) asks for the bytes themselves, whatever the attribute. */
function keepsBytes(node: NameNode, binary: ReadonlySet<string>): boolean {
  if (node.binaryFor !== binary) { node.asBytes = binary.has(node.name) || node.name.endsWith(';binary'); node.binaryFor = binary; }
  return node.asBytes;
}

/** The values of one attribute (its SET OF values, bounds in `value`); null when it has none. */
function decodeValues(buf: Buffer, valuesStart: number, valuesEnd: number, asBytes: boolean, text: (buf: Buffer, start: number, end: number) => string | Buffer): Values | null {
  let values: Values | null = null;
  for (let v = valuesStart; v < valuesEnd;) {
    readElement(buf, v, valuesEnd);
    v = value.end;
    const decoded = asBytes ? buf.subarray(value.start, value.end) : text(buf, value.start, value.end);
    // Most attributes have one value: an array of exactly one, not one grown for more.
    if (values === null) values = [decoded];
    else values.push(decoded);
  }
  return values;
}

/**
 * The attribute list at buf[start, end), decoded; its layout was checked when the entry arrived.
 * Bytes of binary attributes are views of the entry, not copies. An entry whose names repeat (or
 * that the tree has no room for) gets a Map, with the last of repeated names winning, as always.
 */
export function decodeAttributes(buf: Buffer, start: number, end: number, binary: ReadonlySet<string>, text: (buf: Buffer, start: number, end: number) => string | Buffer): ReadonlyMap<string, Values> {
  readElement(buf, start, end);
  const listEnd = value.end;
  const values: Array<Values | null> = [];
  let siblings = roots;
  let node: NameNode | null = null;
  for (let at = value.start; at < listEnd;) {
    readElement(buf, at, listEnd);
    const attributeEnd = value.end;
    at = value.end;
    readElement(buf, value.start, attributeEnd);
    node = nodeFor(siblings, node, buf, value.start, value.end);
    if (node === null) return decodeIntoMap(buf, start, end, binary, text);
    siblings = node.children;
    readElement(buf, value.end, attributeEnd);
    values.push(decodeValues(buf, value.start, value.end, keepsBytes(node, binary), text));
  }
  if (node === null) return new Map();
  node.layout ??= layoutOf(node);
  return node.layout.unique ? new EntryAttributes(node.layout, values) : decodeIntoMap(buf, start, end, binary, text);
}

function decodeIntoMap(buf: Buffer, start: number, end: number, binary: ReadonlySet<string>, text: (buf: Buffer, start: number, end: number) => string | Buffer): Map<string, Values> {
  const attributes = new Map<string, Values>();
  readElement(buf, start, end);
  const listEnd = value.end;
  for (let at = value.start; at < listEnd;) {
    readElement(buf, at, listEnd);
    const attributeEnd = value.end;
    at = value.end;
    readElement(buf, value.start, attributeEnd);
    const name = lowerName(buf.toString('utf8', value.start, value.end));
    readElement(buf, value.end, attributeEnd);
    const decoded = decodeValues(buf, value.start, value.end, binary.has(name) || name.endsWith(';binary'), text);
    if (decoded !== null) attributes.set(name, decoded);
  }
  return attributes;
}

/** An entry's attributes as a read-only Map: the shared layout's names, the entry's own values. */
class EntryAttributes implements ReadonlyMap<string, Values> {
  private readonly layout: Layout;
  private readonly byPosition: Array<Values | null>;
  constructor(layout: Layout, values: Array<Values | null>) { this.layout = layout; this.byPosition = values; }

  get(name: string): Values | undefined {
    const position = this.layout.index.get(name);
    return position === undefined ? undefined : (this.byPosition[position] ?? undefined);
  }
  has(name: string): boolean { return this.get(name) !== undefined; }
  get size(): number { let n = 0; for (const v of this.byPosition) if (v !== null) n++; return n; }

  *entries(): MapIterator<[string, Values]> {
    for (let i = 0; i < this.byPosition.length; i++) { const v = this.byPosition[i]; if (v) yield [this.layout.names[i]!, v]; }
  }
  *keys(): MapIterator<string> { for (const [name] of this.entries()) yield name; }
  *values(): MapIterator<Values> { for (const [, v] of this.entries()) yield v; }
  [Symbol.iterator](): MapIterator<[string, Values]> { return this.entries(); }
  forEach(callback: (value: Values, key: string, map: ReadonlyMap<string, Values>) => void): void { for (const [k, v] of this.entries()) callback(v, k, this); }
}
