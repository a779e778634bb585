/**
 * An entry's attributes decoded without a Map of their own. The entries of one search name the
 * same attributes in the same order (or one of a few orders: some have a photo, some not), so the
 * names are kept once, in a tree of the name sequences seen, each path ending in the layout that
 * says at which position an attribute is; an entry keeps only its values, by position.
 */
import { readAttributeName, readElement, value } from './ber-cursor.ts';
import { lowerName } from './entry.ts';

export type Values = Array<string | Buffer>;

/** The attribute names of entries that list them in one order; `unique` false when a name repeats. */
interface Layout { readonly names: string[]; readonly index: Map<string, number>; readonly unique: boolean }

interface NameNode {
  readonly bytes: Uint8Array;
  readonly name: string;
  /** Whether values of this name are kept as bytes (a binary attribute, or `;binary`). */
  readonly asBytes: boolean;
  readonly parent: NameNode | null;
  readonly children: NameNode[];
  layout: Layout | null;
}

/**
 * What a layout tree may hold, in names and layout positions together: a server that names its
 * attributes anew in every entry (or lists ever longer ones) must not make it grow for ever.
 */
const BUDGET = 4096;
/** Longer names are not kept: the entry that has one is decoded into a Map of its own. */
const MAX_NAME = 128;

function sameBytes(known: Uint8Array, buf: Buffer, start: number, end: number): boolean {
  if (known.length !== end - start) return false;
  for (let i = 0; i < known.length; i++) if (known[i] !== buf[start + i]) return false;
  return true;
}

/**
 * The layouts the entries of one connection's searches have shown, for the binary attributes it
 * was opened with. Kept per connection, not per process: a server that fills it (the tree is
 * started anew when full) slows down its own reading only.
 */
export class AttributeLayouts {
  private readonly binary: ReadonlySet<string>;
  private roots: NameNode[] = [];
  private spent = 0;
  constructor(binary: ReadonlySet<string>) { this.binary = binary; }

  /** The node for the name at buf[start, end) below `parent`, added when new; null when it cannot be kept. */
  private nodeFor(siblings: NameNode[], parent: NameNode | null, buf: Buffer, start: number, end: number): NameNode | null {
    for (const node of siblings) if (sameBytes(node.bytes, buf, start, end)) return node;
    if (end - start > MAX_NAME || this.spent >= BUDGET) return null;
    this.spent++;
    const name = lowerName(buf.toString('utf8', start, end));
    // `;binary` (RFC 4522) asks for the bytes themselves, whatever the attribute.
    const node: NameNode = { bytes: Uint8Array.prototype.slice.call(buf, start, end), name, asBytes: this.binary.has(name) || name.endsWith(';binary'), parent, children: [], layout: null };
    siblings.push(node);
    return node;
  }

  private layoutOf(last: NameNode): Layout | null {
    const names: string[] = [];
    for (let n: NameNode | null = last; n !== null; n = n.parent) names.push(n.name);
    // Full: `decode` starts the tree anew.
    if (this.spent + names.length > BUDGET) { this.spent = BUDGET; return null; }
    this.spent += names.length;
    names.reverse();
    const index = new Map<string, number>();
    names.forEach((name, position) => index.set(name, position));
    return { names, index, unique: index.size === names.length };
  }

  /**
   * The attribute list at buf[start, end), decoded; its layout was checked when the entry arrived.
   * Bytes of binary attributes are views of the entry, not copies. An entry whose names repeat,
   * or that the tree has no room for, gets a Map, with the last of repeated names winning, as always.
   */
  decode(buf: Buffer, start: number, end: number, text: TextDecode): ReadonlyMap<string, Values> {
    const attributes = this.decodeByLayout(buf, start, end, text);
    if (attributes) return attributes;
    // Full: started anew for the entries to come (those decoded keep the layouts they have).
    if (this.spent >= BUDGET) { this.roots = []; this.spent = 0; }
    return decodeIntoMap(buf, start, end, this.binary, text);
  }

  private decodeByLayout(buf: Buffer, start: number, end: number, text: TextDecode): EntryAttributes | Map<string, Values> | null {
    readElement(buf, start, end);
    const listEnd = value.end;
    const values: Array<Values | null> = [];
    let siblings = this.roots;
    let node: NameNode | null = null;
    for (let at = value.start; at < listEnd;) {
      const attributeEnd = readAttributeName(buf, at, listEnd);
      at = attributeEnd;
      node = this.nodeFor(siblings, node, buf, value.start, value.end);
      if (node === null) return null;
      siblings = node.children;
      readElement(buf, value.end, attributeEnd);
      values.push(decodeValues(buf, value.start, value.end, node.asBytes, text));
    }
    if (node === null) return new Map();
    node.layout ??= this.layoutOf(node);
    if (node.layout === null) return null;
    return node.layout.unique ? new EntryAttributes(node.layout, values) : decodeIntoMap(buf, start, end, this.binary, text);
  }
}

type TextDecode = (buf: Buffer, start: number, end: number) => string | Buffer;

/** The values of one attribute (its SET OF values, bounds in `value`); null when it has none. */
function decodeValues(buf: Buffer, valuesStart: number, valuesEnd: number, asBytes: boolean, text: TextDecode): Values | null {
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

function decodeIntoMap(buf: Buffer, start: number, end: number, binary: ReadonlySet<string>, text: TextDecode): Map<string, Values> {
  const attributes = new Map<string, Values>();
  readElement(buf, start, end);
  const listEnd = value.end;
  for (let at = value.start; at < listEnd;) {
    const attributeEnd = readAttributeName(buf, at, listEnd);
    at = attributeEnd;
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
