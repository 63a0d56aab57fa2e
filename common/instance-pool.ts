// Finding a free dungeon node in the pool that all realms share. Each node is the judge of its
// own state (it answers busy while it hosts a dungeon), so two realms asking at once never get
// the same node, with no coordinator to keep in step.
import { Op } from "./opcodes.ts";
import type { Body } from "./protocol/index.ts";
import type { DungeonKind } from "./dungeons.ts";
import type { Wire } from "./wire.ts";

type OpenedInstance = Required<Pick<Body<typeof Op.INSTANCE_OPENED>, "node" | "instance" | "width" | "height" | "entranceX" | "entranceY">>;

export async function openInstance(
  wire: Wire,
  pool: readonly string[],
  realm: string,
  dungeon: DungeonKind,
  cap?: number,
): Promise<OpenedInstance | undefined> {
  // start at a random node so realms do not all queue on the first one
  const start = Math.floor(Math.random() * pool.length);
  for (let k = 0; k < pool.length; k++) {
    const node = pool[(start + k) % pool.length]!;
    try {
      const body = await wire.request(node, Op.INSTANCE_OPEN, cap === undefined ? { realm, dungeon } : { realm, dungeon, cap }, 1000);
      if (body.ok && body.instance !== undefined) return body as OpenedInstance;
    } catch {
      // a node that does not answer is as good as busy: try the next
    }
  }
  return undefined;
}
