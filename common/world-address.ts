// Where a world is reached: its id, and the PUB topics of its cells. Built and read here only.
//
// A world is what one Zone simulates: a zone's region (`FORTRAX-ZONE-1`), one of its layers
// (`FORTRAX-ZONE-1~2`) or a dungeon instance (`INSTANCE-1~7`). Intents go to the node, whose id
// is the world id up to the `~`. A cell's topic is `<world>/<cx>,<cy>/`; the bare `<world>/`
// prefix is every cell of the world (SUB filters by prefix). Client nodes take their cells in
// batches instead: see batchTopic.

const COPY_MARK = "~";
/** A node id, then the copy for a layer or an instance. */
export const WORLD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*(~\d+)?$/;

export function worldId(nodeId: string, copy: number): string {
  return copy === 0 ? nodeId : `${nodeId}${COPY_MARK}${copy}`;
}

export function nodeOfWorld(world: string): string {
  const mark = world.indexOf(COPY_MARK);
  return mark < 0 ? world : world.slice(0, mark);
}

/** The copy (layer number) of a world id: `FORTRAX-ZONE-1` is 0, `FORTRAX-ZONE-1~2` is 2. */
export function copyOf(world: string): number {
  const mark = world.indexOf(COPY_MARK);
  return mark < 0 ? 0 : Number(world.slice(mark + 1)) || 0;
}

/** The PUB topic of a cell. The trailing "/" keeps "Z/1,2/" from matching "Z/1,20/". */
export function cellTopic(world: string, cx: number, cy: number): string {
  return `${world}/${cx},${cy}/`;
}

/** The prefix of every cell topic of a world. */
export function worldTopic(world: string): string {
  return `${world}/`;
}

/**
 * A subscriber that takes its cells in one batch per tick (a client node) subscribes to its
 * batch topic `@<id>/` and, per cell, to the cell's topic followed by `@<id>`. No message is ever
 * published on such an interest topic: it tells the publisher, through XPUB (which replays it
 * when either side restarts and withdraws it when the subscriber goes), who wants the cell.
 * One message per subscriber per tick instead of one per cell: the per-message cost of ZeroMQ
 * is what a zone spent most of its tick on.
 */
export function batchTopic(subscriber: string): string {
  return `${BATCH_MARK}${subscriber}/`;
}

export function interestTopic(world: string, cx: number, cy: number, subscriber: string): string {
  return `${cellTopic(world, cx, cy)}${BATCH_MARK}${subscriber}`;
}

const BATCH_MARK = "@";
const AT = BATCH_MARK.charCodeAt(0);

/** Where an interest topic's subscriber id starts (after the mark), or -1 for any other topic. */
export function interestSubscriberAt(topic: Uint8Array): number {
  const at = topic.indexOf(AT);
  return at > 0 ? at + 1 : -1;
}

/** Whether a topic is a batch topic (`@<id>/`). */
export function isBatchTopic(topic: Uint8Array): boolean {
  return topic[0] === AT;
}

/** A topic read back by parseTopic. */
export interface TopicAddress {
  /** The world's copy: 0 for a zone itself. */
  copy: number;
  /** The bare world prefix: every cell (cx and cy are then -1). */
  everyCell: boolean;
  cx: number;
  cy: number;
}

export const newTopicAddress = (): TopicAddress => ({ copy: 0, everyCell: false, cx: -1, cy: -1 });

const SLASH = 0x2f;
const COMMA = 0x2c;
const MARK = COPY_MARK.charCodeAt(0);

/**
 * Reads a cell topic or a world prefix into `out` from its bytes, with no string, regex or split:
 * the client node reads one per block. Returns the length of the world id at its start (the
 * caller that needs the id slices it), or -1 for a topic of neither form.
 */
export function parseTopic(topic: Uint8Array, out: TopicAddress): number {
  const slash = topic.indexOf(SLASH);
  if (slash < 1) return -1;
  const mark = topic.lastIndexOf(MARK, slash);
  out.copy = mark < 0 ? 0 : digits(topic, mark + 1, slash);
  if (out.copy < 0) return -1;
  out.everyCell = slash === topic.length - 1;
  if (out.everyCell) {
    out.cx = out.cy = -1;
    return slash;
  }
  const comma = topic.indexOf(COMMA, slash + 1);
  const end = topic.length - 1;
  if (comma < 0 || topic[end] !== SLASH) return -1;
  out.cx = digits(topic, slash + 1, comma);
  out.cy = digits(topic, comma + 1, end);
  return out.cx < 0 || out.cy < 0 ? -1 : slash;
}

/** The decimal number in bytes [from, to), or -1 if they are not all digits (or none). */
function digits(bytes: Uint8Array, from: number, to: number): number {
  if (from >= to || to - from > 9) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}
