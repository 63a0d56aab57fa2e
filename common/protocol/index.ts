// Every opcode's body shape, in one place: a frame whose body does not fit is dropped.
import { Op, type OpCode } from "../opcodes.ts";
import type { Infer, Schema } from "../schema.ts";
import { heartbeat, ping, pong, shutdown } from "./control.ts";
import { statusReply, statusRequest, stopRealm } from "./reviver.ts";

export const BODIES = {
  [Op.HEARTBEAT]: heartbeat,
  [Op.SHUTDOWN]: shutdown,
  [Op.PING]: ping,
  [Op.PONG]: pong,
  [Op.STATUS_REQUEST]: statusRequest,
  [Op.STATUS_REPLY]: statusReply,
  [Op.STOP_REALM]: stopRealm,
} as const satisfies Record<OpCode, Schema<unknown>>;

export type Body<O extends OpCode> = Infer<(typeof BODIES)[O]>;

/** Answers: frames that settle a pending request by their `corr`. */
export const REPLY_OPS: ReadonlySet<OpCode> = new Set<OpCode>([Op.PONG, Op.STATUS_REPLY]);
