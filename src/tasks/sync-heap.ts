/**
 * The heap a sync runs in. V8 sizes the young generation from the machine's memory: with a 4 GB
 * heap limit a semi-space grows to 64 MB, so the new space alone commits 128 MB, and what survives
 * its scavenges (a page in flight across the store's awaits) is promoted by the larger chunk,
 * growing the old generation with dead pages until the next mark-compact. A run's live set is
 * ~35 MB at 100,000 users and does not grow with the directory (the seen users are a bitmap), so
 * 16 MB semi-spaces (V8's older default) leave peak RSS about 80 MB lower at the same speed
 * (bench/results). This bounds no live memory: what outlives the young generation is promoted.
 */
import { setFlagsFromString } from 'node:v8';

export const SYNC_SEMI_SPACE_MB = 16;

/** V8's young generation is two semi-spaces and a new large-object space of one semi-space. */
export const SYNC_YOUNG_GENERATION_MB = 3 * SYNC_SEMI_SPACE_MB;

/**
 * Turns off V8's allocation-site pretenuring, for the whole process (V8's flags are not per
 * thread). A scavenge that finds a page's users alive (they live until the page is written)
 * makes V8 allocate every later object of those sites in the old generation, where each page's
 * users die and wait for a mark-compact: in most imports of 100,000 users 73 to 168 MB went
 * there and peak RSS was 244 to 326 MB; in the others no site was pretenured, 28 to 33 MB was
 * promoted and peak RSS 190 to 213 MB. Without pretenuring every import is of the second kind,
 * at the same speed (bench/results, README). V8 reads the flag at each scavenge, so setting it
 * at start, before any site is pretenured, takes effect; it changes what is allocated where,
 * never what a program computes.
 */
export function keepSyncGarbageYoung(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
