// The one opcode table for node-to-node frames. Numbers are explicit and never reused:
// nodes of different builds meet during a rolling restart, so a number keeps its meaning forever.
export const Op = {
  // every node <-> reviver (1..19)
  HEARTBEAT: 1,
  SHUTDOWN: 2,
  PING: 3,
  PONG: 4,

  // operator tools <-> reviver (20..39)
  STATUS_REQUEST: 20,
  STATUS_REPLY: 21,
  STOP_REALM: 22,

  // realm, client nodes <-> zone and instance nodes; zone <-> zone handoff (80..119)
  ZONE_ENTER: 80,
  ZONE_ENTERED: 81,
  ZONE_INTENTS: 82,
  ZONE_EVENTS: 83,
  ZONE_HANDOFF_OFFER: 84,
  ZONE_HANDOFF_ACCEPT: 85,
  ZONE_HANDOFF_COMMIT: 86,
  ZONE_TRUTH_REQUEST: 87,
  ZONE_TRUTH_REPLY: 88,
  ZONE_DISPLACE: 89,
  INSTANCE_OPEN: 90,
  INSTANCE_OPENED: 91,
  INSTANCE_CLOSED: 92,
} as const;

export type OpName = keyof typeof Op;
export type OpCode = (typeof Op)[OpName];

const NAMES = new Map<number, OpName>(Object.entries(Op).map(([name, code]) => [code, name as OpName]));

export function opName(code: number): OpName | undefined {
  return NAMES.get(code);
}
