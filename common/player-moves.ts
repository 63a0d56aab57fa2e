// The player's side of move numbering (protocol version 2): every CMSG_MOVE carries a sequence
// number and how many SMSG_CORRECTs the client has applied. A correction names the last move the
// client node had received, so a predicting client puts its character where the server said and
// replays on top only the moves the server had not seen yet, instead of snapping back and losing
// them. Moves sent before the client applied a correction are stale and the client node drops them.
// Shared by the bots and the browser SDK (ops/web/sdk/), so both number moves the same way.
import { quantizeHeading } from "./cell-snapshot.ts";
import { PlayerOp } from "./player-opcodes.ts";
import type { ClientMessage } from "./player-codec.ts";

/** Moves kept for replay: 6.4 s at 20 a second, far past any round trip a player can play with. */
const KEPT_MOVES = 128;

interface SentMove {
  seq: number;
  /** How far this move went from the position before it, in world units. */
  dx: number;
  dy: number;
}

export class MoveSequencer {
  private seq = 0;
  private corrections = 0;
  private readonly sent: SentMove[] = [];
  /** Where the client believes its character is, in world units (its prediction). */
  x = 0;
  y = 0;

  constructor(
    public width: number,
    public height: number,
  ) {}

  /**
   * SMSG_WORLD_CHANGED: the character is at (x, y) of another world (a dungeon, or back in the
   * realm's), quantized over its size from now on. It counts as a correction; nothing is replayed.
   */
  worldChanged(width: number, height: number, x: number, y: number): void {
    this.width = width;
    this.height = height;
    this.corrections++;
    this.sent.length = 0;
    this.x = x;
    this.y = y;
  }

  /** The server placed the character (entering, a resume): numbering starts again, nothing to replay. */
  placed(x: number, y: number): void {
    this.seq = 0;
    this.corrections = 0;
    this.sent.length = 0;
    this.x = x;
    this.y = y;
  }

  /** The move to (x, y), numbered, and the prediction moved there at once. */
  moveTo(x: number, y: number, heading: number): ClientMessage & { op: typeof PlayerOp.CMSG_MOVE } {
    const qx = quantize(x, this.width);
    const qy = quantize(y, this.height);
    // the prediction holds what the server will decode, so replays and the server agree to the quantum
    const px = (qx * this.width) / 65535;
    const py = (qy * this.height) / 65535;
    this.sent.push({ seq: ++this.seq, dx: px - this.x, dy: py - this.y });
    if (this.sent.length > KEPT_MOVES) this.sent.shift();
    this.x = px;
    this.y = py;
    return { op: PlayerOp.CMSG_MOVE, qx, qy, heading: quantizeHeading(heading), seq: this.seq, corrections: this.corrections & 255 };
  }

  /**
   * SMSG_CORRECT: the server holds the character at (x, y) after move `seq`. Returns the moves
   * replayed on top; the prediction is the corrected place plus those moves.
   */
  corrected(x: number, y: number, seq: number): number {
    this.corrections++;
    while (this.sent.length > 0 && this.sent[0]!.seq <= seq) this.sent.shift();
    let px = x;
    let py = y;
    for (const m of this.sent) {
      px += m.dx;
      py += m.dy;
    }
    this.x = clamp(px, this.width);
    this.y = clamp(py, this.height);
    return this.sent.length;
  }
}

const clamp = (v: number, max: number): number => Math.max(0, Math.min(max, v));

/** World units to the wire's u16 quanta (common/player-protocol.md, Units). */
const quantize = (v: number, size: number): number => Math.max(0, Math.min(65535, Math.round((v * 65535) / size)));
