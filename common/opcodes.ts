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
} as const;

export type OpName = keyof typeof Op;
export type OpCode = (typeof Op)[OpName];

const NAMES = new Map<number, OpName>(Object.entries(Op).map(([name, code]) => [code, name as OpName]));

export function opName(code: number): OpName | undefined {
  return NAMES.get(code);
}
