// One player's WebSocket to a client node, as a game client holds it: every server frame decoded
// with the shared codec (common/player-codec.ts), the view rebuilt with common/player-view.ts, the
// clock synced from pongs. The load bots (ops/bots/) and the test bots (test/harness/player-bot.ts)
// both build on it; what they keep of the traffic is theirs (hooks below).
import { WebSocket } from "ws";
import { decodeServerFrameSized, encodeClient, WorldHeaderState, type ClientMessage, type Entered, type ServerMessage, type Welcome, type WorldChanged, type WorldUpdate } from "../../common/player-codec.ts";
import { MoveSequencer } from "../../common/player-moves.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { ClockSync, WorldView } from "../../common/player-view.ts";

export interface Closed {
  code: number;
  reason: string;
  at: number;
}

export class PlayerLink {
  readonly view = new WorldView();
  readonly clock = new ClockSync();
  /** The socket's SMSG_WORLD header state (one socket per link). */
  private readonly header = new WorldHeaderState();
  welcome: Welcome | undefined;
  entered: Entered | undefined;
  /** The world the character is in since the last SMSG_WORLD_CHANGED (a dungeon, or the realm's again); none before the first. */
  world: WorldChanged | undefined;
  closed: Closed | undefined;
  /** Numbers the moves (protocol version 2); made once the welcome gives the world's size. */
  moves: MoveSequencer | undefined;
  /** Settles when the socket opens, or fails with the connection's error. */
  protected readonly opened: Promise<void>;

  constructor(
    readonly ws: WebSocket,
    readonly label: string,
  ) {
    this.opened = new Promise((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    ws.on("message", (data: Buffer, binary: boolean) => {
      if (binary) this.receive(data);
    });
    ws.on("close", (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString(), at: Date.now() };
      this.onClose(this.closed);
    });
    // a failed socket also closes; the close handler says how
    ws.on("error", () => {});
  }

  private receive(frame: Buffer): void {
    let world: WorldUpdate | undefined;
    let worldBytes = 0;
    try {
      for (const { message, bytes } of decodeServerFrameSized(frame, this.header)) {
        switch (message.op) {
          case PlayerOp.SMSG_WORLD:
            world = message;
            worldBytes = bytes;
            this.view.apply(message);
            break;
          case PlayerOp.SMSG_WELCOME:
            this.welcome = message;
            this.moves = new MoveSequencer(message.worldWidth, message.worldHeight);
            break;
          case PlayerOp.SMSG_VIEW_RESET:
            this.view.clear();
            break;
          case PlayerOp.SMSG_ENTERED:
            // a (re)entry starts from a full state
            this.view.clear();
            this.entered = message;
            this.world = undefined;
            this.moves?.placed((message.qx * this.moves.width) / 65535, (message.qy * this.moves.height) / 65535);
            break;
          case PlayerOp.SMSG_WORLD_CHANGED:
            this.world = message;
            this.moves?.worldChanged(message.width, message.height, (message.qx * message.width) / 65535, (message.qy * message.height) / 65535);
            break;
          case PlayerOp.SMSG_CORRECT:
            this.moves?.corrected((message.qx * this.moves.width) / 65535, (message.qy * this.moves.height) / 65535, message.seq);
            break;
          case PlayerOp.SMSG_PONG:
            this.clock.add(message.clientTime, message.serverReceive, message.serverSend, Date.now());
            break;
        }
        this.onMessage(message);
      }
    } catch (err) {
      return this.onProtocolError(err as Error);
    }
    this.onFrame(frame.length, worldBytes, world);
  }

  /** Each decoded message, after the view and clock took what they need. */
  protected onMessage(_m: ServerMessage): void {}

  /** Each whole frame, after its messages. */
  protected onFrame(_bytes: number, _worldBytes: number, _world: WorldUpdate | undefined): void {}

  protected onClose(_closed: Closed): void {}

  /** A frame that does not decode, or a view update the view cannot apply: a server bug. */
  protected onProtocolError(err: Error): void {
    throw err;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(m: ClientMessage): void {
    if (this.open) this.ws.send(encodeClient(m));
  }

  raw(data: Buffer | string): void {
    if (this.open) this.ws.send(data);
  }

  /** A numbered CMSG_MOVE to (x, y) in world units (heading in radians); before the welcome there is no world to move in. */
  moveTo(x: number, y: number, heading = 0): void {
    if (this.moves) this.send(this.moves.moveTo(x, y, heading));
  }

  ping(): void {
    this.send({ op: PlayerOp.CMSG_PING, clientTime: Date.now() });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}
