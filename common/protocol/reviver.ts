// What operator tools ask the revivers, and the status they get back.
import { bool, int, list, num, object, oneOf, optional, record, str, type Infer } from "../schema.ts";
import { corr, NODE_KINDS, nodeId } from "./control.ts";

export const NODE_STATES = ["up", "down", "starting", "given-up", "stopped"] as const;

export const restartRecord = object({
  at: num({ min: 0 }),
  cause: str({ max: 300 }),
  procedure: str({ max: 100 }),
});

export const nodeStatus = object({
  id: nodeId,
  kind: oneOf(NODE_KINDS),
  realm: optional(str({ max: 64 })),
  state: oneOf(NODE_STATES),
  pid: optional(int({ min: 1 })),
  restarts: int({ min: 0 }),
  heartbeatAgeMs: optional(num({ min: 0 })),
  reason: optional(str({ max: 1000 })),
  vitals: record(num(), { maxKeys: 80 }),
  history: list(restartRecord, { max: 100 }),
});
export type NodeStatus = Infer<typeof nodeStatus>;

export const statusRequest = object({ corr });
export const statusReply = object({
  corr,
  reviver: nodeId,
  leader: bool,
  nodes: list(nodeStatus, { max: 10_000 }),
});
export type StatusReply = Infer<typeof statusReply>;

export const stopRealm = object({ reason: str({ max: 200 }) });
