// A client node starved of CPU reads its players' input late, in one pile. The client node's
// input checks and the zone's movement check both excuse that pile-up, up to the same bound.

/** The most stall that excuses a pile-up: longer, and the node had bigger trouble than input. */
export const MAX_EXCUSED_MS = 30_000;
