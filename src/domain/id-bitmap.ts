/**
 * A set of user IDs as one bit each, growing as IDs come: 100,000 users in 12.5 KB. A run keeps
 * the users it found unchanged in one and stores it whole, instead of a row per user.
 *
 * `base`: the ID of the first bit (a multiple of 8). A run's sets start at the first ID they hold
 * (`IdBitmap.fromFirst()`), so they hold no bit for the users before it: in a store whose IDs have
 * reached millions, a domain of a few hundred users keeps bitmaps of a few hundred bits.
 */
export class IdBitmap {
  private bits: Uint8Array;
  private count = 0;
  private offset: number | null;

  constructor(bytes?: Uint8Array, base = 0) {
    this.bits = bytes ? new Uint8Array(bytes) : new Uint8Array(1024);
    this.offset = base - (base % 8);
    if (bytes) for (const b of this.bits) this.count += popcount(b);
  }

  /** An empty set whose first bit is the first ID added. */
  static fromFirst(): IdBitmap {
    const bitmap = new IdBitmap(new Uint8Array(0));
    bitmap.offset = null;
    return bitmap;
  }

  get size(): number { return this.count; }

  /** A copy: the bytes copied at once and the count taken over (a run copies its set each batch). */
  copy(): IdBitmap {
    const other = new IdBitmap(new Uint8Array(0));
    other.bits = this.bits.slice();
    other.count = this.count;
    other.offset = this.offset;
    return other;
  }

  /** The ID of the first bit, as stored beside `bytes()`. */
  get base(): number { return this.offset ?? 0; }

  add(id: number): void {
    if (id < 0) return;
    this.offset ??= id - (id % 8);
    if (id < this.offset) this.rebase(id - (id % 8));
    const at = (id - this.offset) >> 3;
    if (at >= this.bits.length) {
      const grown = new Uint8Array(Math.max(at + 1, this.bits.length * 2, 64));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 7);
    if (!(this.bits[at]! & mask)) { this.bits[at]! |= mask; this.count++; }
  }

  /** Moves the first bit down to `base` (an ID below the first was added). */
  private rebase(base: number): void {
    const shift = (this.offset! - base) >> 3;
    const moved = new Uint8Array(this.bits.length + shift);
    moved.set(this.bits, shift);
    this.bits = moved;
    this.offset = base;
  }

  has(id: number): boolean {
    if (this.offset === null || id < this.offset) return false;
    const at = (id - this.offset) >> 3;
    return at < this.bits.length && (this.bits[at]! & (1 << (id & 7))) !== 0;
  }

  /** The IDs in ascending order. */
  *ids(): Generator<number> {
    const offset = this.offset ?? 0;
    for (let at = 0; at < this.bits.length; at++) {
      const b = this.bits[at]!;
      if (b) for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) yield offset + (at << 3) + bit;
    }
  }

  /** The bytes to store (from `base`), without the unused tail. */
  bytes(): Uint8Array {
    let end = this.bits.length;
    while (end > 0 && this.bits[end - 1] === 0) end--;
    return this.bits.slice(0, end);
  }
}

function popcount(b: number): number {
  let n = 0;
  for (let v = b; v; v &= v - 1) n++;
  return n;
}
