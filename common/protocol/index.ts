// Every opcode's body shape, in one place: a frame whose body does not fit is dropped.
import { Op, type OpCode } from "../opcodes.ts";
import type { Infer, Schema } from "../schema.ts";
import { heartbeat, ping, pong, shutdown } from "./control.ts";
import { statusReply, statusRequest, stopRealm } from "./reviver.ts";
import {
  displace,
  handoffAccept,
  handoffCommit,
  handoffOffer,
  instanceClosed,
  instanceOpen,
  instanceOpened,
  truthReply,
  truthRequest,
  zoneEnter,
  zoneEntered,
  zoneEvents,
  zoneIntents,
} from "./zone.ts";

export const BODIES = {
  [Op.HEARTBEAT]: heartbeat,
  [Op.SHUTDOWN]: shutdown,
  [Op.PING]: ping,
  [Op.PONG]: pong,
  [Op.STATUS_REQUEST]: statusRequest,
  [Op.STATUS_REPLY]: statusReply,
  [Op.STOP_REALM]: stopRealm,
  [Op.ZONE_ENTER]: zoneEnter,
  [Op.ZONE_ENTERED]: zoneEntered,
  [Op.ZONE_INTENTS]: zoneIntents,
  [Op.ZONE_EVENTS]: zoneEvents,
  [Op.ZONE_HANDOFF_OFFER]: handoffOffer,
  [Op.ZONE_HANDOFF_ACCEPT]: handoffAccept,
  [Op.ZONE_HANDOFF_COMMIT]: handoffCommit,
  [Op.ZONE_TRUTH_REQUEST]: truthRequest,
  [Op.ZONE_TRUTH_REPLY]: truthReply,
  [Op.ZONE_DISPLACE]: displace,
  [Op.INSTANCE_OPEN]: instanceOpen,
  [Op.INSTANCE_OPENED]: instanceOpened,
  [Op.INSTANCE_CLOSED]: instanceClosed,
} as const satisfies Record<OpCode, Schema<unknown>>;

export type Body<O extends OpCode> = Infer<(typeof BODIES)[O]>;

/** Answers: frames that settle a pending request by their `corr`. */
export const REPLY_OPS: ReadonlySet<OpCode> = new Set<OpCode>([Op.PONG, Op.STATUS_REPLY, Op.ZONE_ENTERED, Op.ZONE_HANDOFF_ACCEPT, Op.ZONE_TRUTH_REPLY, Op.INSTANCE_OPENED]);
