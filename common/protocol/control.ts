// Messages every node exchanges with the revivers: liveness, vital signs, orders to stop.
import { int, num, object, oneOf, optional, record, str, type Infer } from "../schema.ts";

export const NODE_KINDS = ["reviver", "login", "realm", "client", "zone", "instance", "database", "backup"] as const;
export const nodeId = str({ min: 1, max: 64, pattern: /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, what: "a node id" });
/** Correlates an answer with its request; every request that wants an answer carries one. */
export const corr = int({ min: 0, max: Number.MAX_SAFE_INTEGER });

export const heartbeat = object({
  id: nodeId,
  kind: oneOf(NODE_KINDS),
  realm: optional(str({ max: 64 })),
  pid: int({ min: 1 }),
  seq: int({ min: 0 }),
  startedAt: num({ min: 0 }),
  uptimeMs: num({ min: 0 }),
  rssBytes: num({ min: 0 }),
  heapUsedBytes: num({ min: 0 }),
  /** Kind-specific figures: players, tick p99, replica lag... */
  vitals: record(num(), { maxKeys: 64 }),
});
export type Heartbeat = Infer<typeof heartbeat>;
/** A node's vital signs as its heartbeat carries them, by name. */
export type Vitals = Heartbeat["vitals"];

export const shutdown = object({ reason: str({ max: 200 }) });
export const ping = object({ corr });
export const pong = object({ corr, id: nodeId, uptimeMs: num({ min: 0 }) });
