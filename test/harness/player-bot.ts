// A scripted player over a real WebSocket, speaking the player protocol through the shared codec
// (common/player-codec.ts) and rebuilding its view with common/player-view.ts, as a game client
// would. Tests drive it and read what it saw: frames, events, its view, how it was closed.
import { WebSocket } from "ws";
import { encodeClient, decodeServerFrameSized, type ClientMessage, type Entered, type ServerMessage, type Welcome, type WorldUpdate } from "../../common/player-codec.ts";
import { PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import { ClockSync, WorldView } from "../../common/player-view.ts";
import { until } from "./realm.ts";

export interface SeenFrame {
  at: number;
  bytes: number;
  /** Bytes of the SMSG_WORLD in it (0 when the frame had none). */
  worldBytes: number;
  world: WorldUpdate | undefined;
}

export class PlayerBot {
  readonly view = new WorldView();
  readonly clock = new ClockSync();
  readonly frames: SeenFrame[] = [];
  readonly messages: ServerMessage[] = [];
  welcome: Welcome | undefined;
  entered: Entered | undefined;
  closed: { code: number; reason: string; at: number } | undefined;
  /** Called after each SMSG_WORLD is applied to the view. */
  onWorld: ((bot: PlayerBot, u: WorldUpdate, bytes: number) => void) | undefined;
  private readonly opened: Promise<void>;

  private constructor(
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
    ws.on("close", (code: number, reason: Buffer) => (this.closed = { code, reason: reason.toString(), at: Date.now() }));
    ws.on("error", () => {});
  }

  static async connect(url: string, label = "bot"): Promise<PlayerBot> {
    const bot = new PlayerBot(new WebSocket(url), label);
    await bot.opened;
    return bot;
  }

  private receive(frame: Buffer): void {
    const now = Date.now();
    let world: WorldUpdate | undefined;
    let worldBytes = 0;
    for (const { message, bytes } of decodeServerFrameSized(frame)) {
      switch (message.op) {
        case PlayerOp.SMSG_WORLD:
          world = message;
          worldBytes = bytes;
          this.view.apply(message);
          break;
        case PlayerOp.SMSG_WELCOME:
          this.welcome = message;
          break;
        case PlayerOp.SMSG_VIEW_RESET:
          this.view.clear();
          break;
        case PlayerOp.SMSG_ENTERED:
          // a (re)entry starts from a full state
          this.view.clear();
          this.entered = message;
          break;
        case PlayerOp.SMSG_PONG:
          this.clock.add(message.clientTime, message.serverReceive, message.serverSend, Date.now());
          break;
      }
      if (message.op !== PlayerOp.SMSG_WORLD) this.messages.push(message);
    }
    this.frames.push({ at: now, bytes: frame.length, worldBytes, world });
    if (world) this.onWorld?.(this, world, worldBytes);
  }

  send(m: ClientMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeClient(m));
  }

  raw(data: Buffer | string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  async hello(session: string, version = PLAYER_PROTOCOL_VERSION): Promise<Welcome> {
    this.send({ op: PlayerOp.CMSG_HELLO, version, session });
    return until(`${this.label} welcomed`, 5000, () => this.welcome ?? (this.closed ? Promise.reject(new Error(`${this.label} closed: ${this.closed.code} ${this.closed.reason}`)) : undefined));
  }

  async select(characterId: string): Promise<Entered> {
    this.entered = undefined;
    this.send({ op: PlayerOp.CMSG_CHAR_SELECT, characterId });
    return this.waitEntered();
  }

  async resume(token: Uint8Array): Promise<Entered> {
    this.entered = undefined;
    this.send({ op: PlayerOp.CMSG_RESUME, version: PLAYER_PROTOCOL_VERSION, token });
    return this.waitEntered();
  }

  private waitEntered(): Promise<Entered> {
    const from = this.messages.length;
    return until(`${this.label} in the world`, 8000, () => {
      if (this.closed) throw new Error(`${this.label} closed: ${this.closed.code} ${this.closed.reason}`);
      const refused = this.messages.slice(from).find((m) => m.op === PlayerOp.SMSG_CHAR_REFUSED);
      if (refused) throw new Error(`${this.label} refused: ${JSON.stringify(refused)}`);
      return this.entered;
    });
  }

  /** Moves to (x, y) in world units, quantized as the protocol says. */
  move(x: number, y: number, width: number, height: number, heading = 0): void {
    const qx = Math.max(0, Math.min(65535, Math.round((x * 65535) / width)));
    const qy = Math.max(0, Math.min(65535, Math.round((y * 65535) / height)));
    this.send({ op: PlayerOp.CMSG_MOVE, qx, qy, heading: Math.round(((heading / (2 * Math.PI)) % 1) * 256) & 255 });
  }

  ping(): void {
    this.send({ op: PlayerOp.CMSG_PING, clientTime: Date.now() });
  }

  waitClosed(ms = 5000): Promise<{ code: number; reason: string; at: number }> {
    return until(`${this.label} closed`, ms, () => this.closed);
  }

  waitFrames(n: number, ms = 5000): Promise<void> {
    const target = this.frames.length + n;
    return until(`${this.label} to get ${n} more frames`, ms, () => (this.frames.length >= target ? true : this.closed ? Promise.reject(new Error(`${this.label} closed`)) : undefined)).then(() => undefined);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}
