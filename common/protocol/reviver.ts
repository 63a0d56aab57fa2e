// What operator tools ask the revivers, the status they get back, and what the leading reviver
// tells the nodes that depend on one that died.
import { bool, int, list, num, object, oneOf, optional, record, str, type Infer } from "../schema.ts";
import { corr, NODE_KINDS, nodeId } from "./control.ts";

const NODE_STATES = ["up", "down", "starting", "given-up", "stopped"] as const;

const restartRecord = object({
  /** When the node was found down. */
  at: num({ min: 0 }),
  /** `exit code N`, `signal SIGKILL`, `missed heartbeats (1.5 s)`, `no heartbeat within 15 s of start`, `process gone (pid N)`. */
  cause: str({ max: 300 }),
  procedure: str({ max: 100 }),
  /** From `at` to the first heartbeat of the restarted node; absent until then (or if it never came back). */
  recoveredMs: optional(num({ min: 0 })),
});

const nodeStatus = object({
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

/** A node the receiver depends on was found down (its exit, or missed heartbeats); its restart is under way. */
export const nodeDown = object({
  nodeId,
  kind: oneOf(NODE_KINDS),
  realm: optional(str({ max: 64 })),
  cause: str({ max: 300 }),
  at: num({ min: 0 }),
});
export type NodeDown = Infer<typeof nodeDown>;

/** That node is back: its first heartbeat after the restart, `downMs` after it was found down. */
export const nodeUp = object({
  nodeId,
  kind: oneOf(NODE_KINDS),
  realm: optional(str({ max: 64 })),
  downMs: num({ min: 0 }),
});
export type NodeUp = Infer<typeof nodeUp>;
