// One connected player as the client node knows it: where it is in the protocol (handshake,
// lobby, entering, in the world, dropped), which character and entity it plays, what it has been
// sent (its SentView) and the reliable events waiting for its next frame.
import type { WebSocket } from "ws";
import { ByteWriter } from "../../common/bytes.ts";
import type { Log } from "../../common/log.ts";
import { closeCodeName } from "../../common/player-opcodes.ts";
import type { DungeonView } from "./dungeon-view.ts";
import { InputGuard } from "./input-guard.ts";
import { SentView } from "./sent-view.ts";
import type { Stalls } from "./stall-ledger.ts";
import { sendBinary } from "./ws-frames.ts";

type PlayerPhase = "handshake" | "checking" | "lobby" | "entering" | "world" | "leaving" | "dropped" | "gone";

/** A player whose socket buffers more than this is not reading: closed, so it cannot eat the node's memory. */
export const MAX_BUFFERED_BYTES = 1 << 20;

let nextConnection = 1;

export class Player {
  readonly conn = nextConnection++;
  phase: PlayerPhase = "handshake";
  accountId = "";
  realm = "";
  /** When this connection took the account (a hello or a resume). */
  attachedAt = 0;
  characterId = "";
  name = "";
  entity = 0;
  /** Ordinal of the zone that holds the character (in the realm's zone list), and which copy of it (layer). */
  zone = 0;
  copy = 0;
  /** The dungeon the character is in (then `zone` and `copy` keep the realm world it came from). */
  dungeon: DungeonView | undefined;
  /** Where in the realm's world the character was when it went into its dungeon. */
  outsideAt: [number, number] = [0, 0];
  /** Intent sequence: increasing per player, so a zone applies each intent once, in order. */
  seq = 0;
  /** The last CMSG_MOVE's number, and the SMSG_CORRECTs sent since entering (protocol version 2). */
  moveSeq = 0;
  corrections = 0;
  /** Where the character is, until its own record shows up in the cells (entering, resume). */
  hintX = 0;
  hintY = 0;
  /** Server time (ms since 1970) that SMSG_WORLD times count from. */
  epoch = 0;
  /** sha256 of the current reconnect token. */
  token = "";
  /** Fanout slot within the tick: players are spread so sends do not come in one burst. */
  slot = 0;
  readonly view = new SentView();
  /** Cells this player holds a reference on, and the cell its interest was computed around. */
  readonly cells = new Set<number>();
  centerCell = -1;
  /** Encoded reliable events for the next frame, in the zone's order. */
  readonly events = new ByteWriter(64);
  readonly guard: InputGuard;
  droppedAt = 0;
  /** Whether the zone answered the reattach (false: intents from here are not accepted yet). */
  attachedToZone = true;
  bytesSent = 0;
  framesSent = 0;

  constructor(
    readonly ws: WebSocket,
    readonly remote: string,
    private readonly log: Log,
    stalls: Stalls,
  ) {
    this.guard = new InputGuard(Date.now(), stalls);
  }

  get inWorld(): boolean {
    return this.phase === "world" || this.phase === "leaving";
  }

  /** Sends one message now: `bytes`, or its first `length` bytes (a writer's buffer, copied once into the frame). */
  send(bytes: Uint8Array, length = bytes.length): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    sendBinary(this.ws, bytes, 0, length);
    this.bytesSent += length;
  }

  /** Closes with a documented code and reason; one log line names who and why. */
  close(code: number, why: string): void {
    if (this.ws.readyState === this.ws.CLOSED || this.ws.readyState === this.ws.CLOSING) return;
    const level = code >= 4010 && code < 4020 ? "warn" : "info";
    this.log[level]("player-closed", { conn: this.conn, accountId: this.accountId || undefined, entity: this.entity || undefined, code, reason: closeCodeName(code), why });
    // a close reason is at most 123 bytes (RFC 6455 5.5)
    this.ws.close(code, Buffer.from(why).subarray(0, 123).toString());
  }
}
