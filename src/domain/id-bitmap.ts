/**
 * A set of user IDs as one bit each, growing as IDs come: 100,000 users in 12.5 KB. A run keeps
 * the users it found unchanged in one and stores it whole, instead of a row per user.
 */
export class IdBitmap {
  private bits: Uint8Array;
  private count = 0;

  constructor(bytes?: Uint8Array) {
    this.bits = bytes ? new Uint8Array(bytes) : new Uint8Array(1024);
    if (bytes) for (const b of this.bits) this.count += popcount(b);
  }

  get size(): number { return this.count; }

  add(id: number): void {
    if (id < 0) return;
    const at = id >> 3;
    if (at >= this.bits.length) {
      const grown = new Uint8Array(Math.max(at + 1, this.bits.length * 2));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (id & 7);
    if (!(this.bits[at]! & mask)) { this.bits[at]! |= mask; this.count++; }
  }

  has(id: number): boolean {
    const at = id >> 3;
    return id >= 0 && at < this.bits.length && (this.bits[at]! & (1 << (id & 7))) !== 0;
  }

  /** The IDs in ascending order. */
  *ids(): Generator<number> {
    for (let at = 0; at < this.bits.length; at++) {
      const b = this.bits[at]!;
      if (b) for (let bit = 0; bit < 8; bit++) if (b & (1 << bit)) yield (at << 3) + bit;
    }
  }

  /** The bytes to store, without the unused tail. */
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
