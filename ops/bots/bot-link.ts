// A bot's WebSocket of the moment (a bot opens a new one for each login or resume): every
// message and close goes to its owner, and the owner may wait for a particular answer.
import { WebSocket } from "ws";
import type { ServerMessage, WorldUpdate } from "../../common/player-codec.ts";
import { PlayerLink, type Closed } from "./player-link.ts";

/** What a link reports to. */
export interface LinkOwner {
  readonly account: string;
  heard(link: BotLink, m: ServerMessage): void;
  received(bytes: number, world: WorldUpdate | undefined): void;
  linkClosed(link: BotLink, closed: Closed): void;
  protocolError(err: Error): void;
}

/** What a waiter gets when the socket closes first: the close code decides what the bot does next. */
export class LinkClosed extends Error {
  constructor(readonly closed: Closed) {
    super(`closed ${closed.code} ${closed.reason}`);
  }
}

export class BotLink extends PlayerLink {
  private readonly waiters = new Set<{ pick: (m: ServerMessage) => boolean; done: (m: ServerMessage | Error) => void }>();

  constructor(
    url: string,
    private readonly bot: LinkOwner,
  ) {
    super(new WebSocket(url, { handshakeTimeout: 10_000, perMessageDeflate: false }), bot.account);
  }

  connected(): Promise<void> {
    return this.opened;
  }

  /** The first message `pick` accepts, within `ms`; rejects if the socket closes first. */
  next<T extends ServerMessage>(what: string, ms: number, pick: (m: ServerMessage) => m is T): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new LinkClosed(this.closed));
      const waiter = {
        pick,
        done: (m: ServerMessage | Error) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          if (m instanceof Error) reject(m);
          else resolve(m as T);
        },
      };
      const timer = setTimeout(() => waiter.done(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.add(waiter);
    });
  }

  protected override onMessage(m: ServerMessage): void {
    for (const w of this.waiters) if (w.pick(m)) w.done(m);
    this.bot.heard(this, m);
  }

  protected override onFrame(bytes: number, _worldBytes: number, world: WorldUpdate | undefined): void {
    this.bot.received(bytes, world);
  }

  protected override onClose(closed: Closed): void {
    for (const w of this.waiters) w.done(new LinkClosed(closed));
    this.bot.linkClosed(this, closed);
  }

  protected override onProtocolError(err: Error): void {
    this.bot.protocolError(err);
    this.close();
  }
}

/** A waiter's test: the message is one of these. */
export const isOp =
  <O extends ServerMessage["op"]>(...ops: O[]) =>
  (m: ServerMessage): m is Extract<ServerMessage, { op: O }> =>
    (ops as number[]).includes(m.op);
