/**
 * The young generation a sync runs with. V8 sizes it from the machine's memory: with a 4 GB heap
 * limit a semi-space grows to 64 MB, so the new space alone commits 128 MB, and what survives
 * its scavenges (a page in flight across the store's awaits) is promoted by the larger chunk,
 * growing the old generation with dead pages until the next mark-compact. A run's live set is
 * ~35 MB at 100,000 users and does not grow with the directory (the seen users are a bitmap), so
 * 16 MB semi-spaces (V8's older default) leave peak RSS about 80 MB lower at the same speed
 * (bench/results). This bounds no live memory: what outlives the young generation is promoted.
 */
export const SYNC_SEMI_SPACE_MB = 16;

/** V8's young generation is two semi-spaces and a new large-object space of one semi-space. */
export const SYNC_YOUNG_GENERATION_MB = 3 * SYNC_SEMI_SPACE_MB;
