// A realm restart cycle: an operator (or the daily schedule) asks the leading reviver to restart
// a realm's nodes; the players are warned through the client nodes, then closed so they come
// back through the login nodes once the realm is up again.
import { bool, int, num, object, optional, str } from "../schema.ts";
import { corr } from "./control.ts";

const realm = str({ min: 1, max: 64, what: "a realm name" });

/** `inMs` from now; `cancel` drops a restart that is scheduled and not yet begun. */
export const realmRestart = object({ corr, realm, inMs: int({ min: 0, max: 7 * 86_400_000 }), cancel: optional(bool) });
export const realmRestartReply = object({ corr, ok: bool, at: optional(num({ min: 0 })), error: optional(str({ max: 500 })) });

/** Shown to every player of the realm (common/player-opcodes.ts NoticeKind). */
export const playerNotice = object({ realm, kind: int({ min: 1, max: 255 }), seconds: int({ min: 0, max: 7 * 86_400 }), text: str({ max: 256 }) });

/** The realm goes down: its players are saved and closed, and log in again afterwards. */
export const realmClosePlayers = object({ corr, realm, reason: str({ max: 200 }) });
export const realmClosePlayersReply = object({ corr, closed: int({ min: 0 }) });
