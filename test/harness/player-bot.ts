// A scripted player over a real WebSocket (the shared client in ops/bots/player-link.ts: the
// codec, the view, the clock), as a game client would. Tests drive it and read what it saw:
// frames, events, its view, how it was closed.
import { WebSocket, type ClientOptions } from "ws";
import type { Entered, ServerMessage, Welcome, WorldUpdate } from "../../common/player-codec.ts";
import { PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import { MoveSequencer } from "../../common/player-moves.ts";
import { PlayerLink } from "../../ops/bots/player-link.ts";
import { until } from "./realm.ts";

interface SeenFrame {
  at: number;
  bytes: number;
  /** Bytes of the SMSG_WORLD in it (0 when the frame had none). */
  worldBytes: number;
  world: WorldUpdate | undefined;
}

export class PlayerBot extends PlayerLink {
  readonly frames: SeenFrame[] = [];
  readonly messages: ServerMessage[] = [];
  /** Called after each SMSG_WORLD is applied to the view. */
  onWorld: ((bot: PlayerBot, u: WorldUpdate, bytes: number) => void) | undefined;

  /** `options` for a wss:// node with a test cert: `{ ca }`. */
  static async connect(url: string, label = "bot", options: ClientOptions = {}): Promise<PlayerBot> {
    const bot = new PlayerBot(new WebSocket(url, options), label);
    await bot.opened;
    return bot;
  }

  protected override onMessage(m: ServerMessage): void {
    if (m.op !== PlayerOp.SMSG_WORLD) this.messages.push(m);
  }

  protected override onFrame(bytes: number, worldBytes: number, world: WorldUpdate | undefined): void {
    this.frames.push({ at: Date.now(), bytes, worldBytes, world });
    if (world) this.onWorld?.(this, world, worldBytes);
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

  /** Moves to (x, y) in world units, quantized and numbered as the protocol says; also before the welcome, to test refusals. */
  move(x: number, y: number, width: number, height: number, heading = 0): void {
    this.moves ??= new MoveSequencer(width, height);
    this.moveTo(x, y, heading);
  }

  waitClosed(ms = 5000): Promise<{ code: number; reason: string; at: number }> {
    return until(`${this.label} closed`, ms, () => this.closed);
  }

  waitFrames(n: number, ms = 5000): Promise<void> {
    const target = this.frames.length + n;
    return until(`${this.label} to get ${n} more frames`, ms, () => (this.frames.length >= target ? true : this.closed ? Promise.reject(new Error(`${this.label} closed`)) : undefined)).then(() => undefined);
  }
}
