/**
 * Which existing users the directory still has, as one bit per user ID: a million users cost
 * 125 KB, so the deletion check keeps memory flat however large the directory grows.
 */
export class SeenSet {
  private readonly bits: Uint8Array;
  private readonly maxId: number;

  /** `maxId`: the highest user ID when the run started; later IDs were created by this run. */
  constructor(maxId: number) {
    this.maxId = maxId;
    this.bits = new Uint8Array((maxId >> 3) + 1);
  }

  add(id: number): void {
    if (id >= 0 && id <= this.maxId) this.bits[id >> 3]! |= 1 << (id & 7);
  }

  has(id: number): boolean {
    return id >= 0 && id <= this.maxId && (this.bits[id >> 3]! & (1 << (id & 7))) !== 0;
  }

  /** The IDs up to the highest at the start that were not seen, ascending: few after a full answer. */
  unseenIds(): number[] {
    const out: number[] = [];
    for (let at = 0; at < this.bits.length; at++) {
      const b = this.bits[at]!;
      if (b === 0xff) continue;
      for (let bit = 0; bit < 8; bit++) {
        const id = (at << 3) + bit;
        if (id <= this.maxId && !(b & (1 << bit))) out.push(id);
      }
    }
    return out;
  }

  /** True for users that existed when the run started (the only ones that can be gone). */
  covers(id: number): boolean {
    return id >= 0 && id <= this.maxId;
  }
}
