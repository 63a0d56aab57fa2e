// The players' WebSocket endpoint: binary frames only, every frame through the input guard
// before it is decoded, then handled by where the player is in the protocol. A player who sends
// garbage, floods or cheats blatantly is closed with a documented code; nobody else notices.
import type http from "node:http";
import { performance } from "node:perf_hooks";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { CloseCode, PlayerOp } from "../../common/player-opcodes.ts";
import { decodeClient, encodeServer, UnknownOpcodeError, WireFormatError, type ClientMessage } from "../../common/player-codec.ts";
import { createHttpServer } from "../../common/tls-server.ts";
import type { Log } from "../../common/log.ts";
import type { HostPort, TlsFiles } from "../../common/topology.ts";
import type { DungeonDesk } from "./dungeon-desk.ts";
import { Lobby } from "./lobby.ts";
import { Player } from "./player.ts";
import type { Sessions } from "./sessions.ts";
import type { SocialRelay } from "./social-relay.ts";
import type { Stalls } from "./stall-ledger.ts";
import type { WorldDoor } from "./world-door.ts";

/** Milliseconds since 1970 with sub-millisecond precision, for the clock sync's timestamps. */
const serverClock = (): number => performance.timeOrigin + performance.now();

/** The first frame (CMSG_HELLO or CMSG_RESUME) must come within this. */
const HANDSHAKE_MS = 5000;
/** ws refuses frames past this by itself (code 1009); ours (input-guard.ts, 512 bytes) is far smaller and named. */
const WS_MAX_PAYLOAD = 64 * 1024;

export class PlayerEndpoint {
  private server: http.Server | undefined;
  private wss: WebSocketServer | undefined;
  readonly players = new Set<Player>();
  readonly lobby: Lobby;
  closedFor = new Map<number, number>();

  constructor(
    private readonly sessions: Sessions,
    private readonly door: WorldDoor,
    private readonly dungeons: DungeonDesk,
    private readonly social: SocialRelay,
    private readonly log: Log,
    private readonly stalls: Stalls,
  ) {
    this.lobby = new Lobby(sessions, door, log);
  }

  /** Serves ws, or wss with `tls`. */
  async listen(at: HostPort, tls: TlsFiles | undefined): Promise<void> {
    const server = createHttpServer((_req, res) => {
      res.writeHead(426, { "content-type": "text/plain" });
      res.end("upgrade to a WebSocket (binary frames): see common/player-protocol.md\n");
    }, tls);
    this.wss = new WebSocketServer({ server, maxPayload: WS_MAX_PAYLOAD, perMessageDeflate: false });
    this.wss.on("connection", (ws, req) => this.accept(ws, req.socket.remoteAddress ?? "?"));
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) => reject(new Error(`cannot listen on ${at.host}:${at.port}: ${err.message}`)));
      server.listen(at.port, at.host, () => resolve());
    });
    this.server = server;
  }

  async close(code: number, why: string): Promise<void> {
    for (const p of this.players) {
      if (p.phase === "world") p.phase = "dropped";
      p.close(code, why);
    }
    this.wss?.close();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(ws: WebSocket, remote: string): void {
    const p = new Player(ws, remote, this.log, this.stalls);
    this.players.add(p);
    const handshake = setTimeout(() => {
      if (p.phase === "handshake") p.close(CloseCode.HANDSHAKE_TIMEOUT, `no CMSG_HELLO or CMSG_RESUME within ${HANDSHAKE_MS} ms`);
    }, HANDSHAKE_MS);
    ws.on("message", (data: RawData, binary: boolean) => this.frame(p, data, binary));
    ws.on("close", (code: number) => {
      clearTimeout(handshake);
      this.players.delete(p);
      this.closedFor.set(code, (this.closedFor.get(code) ?? 0) + 1);
      if (p.accountId) this.door.disconnected(p);
    });
    ws.on("error", () => {
      // a broken socket closes too; the close handler does the rest
    });
  }

  private frame(p: Player, data: RawData, binary: boolean): void {
    if (p.phase === "gone") return;
    const received = serverClock();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const now = Date.now();
    const v = p.guard.frame(bytes.length, binary, now);
    if (!v.ok) return this.kick(p, v.code, v.why);
    let m: ClientMessage;
    try {
      m = decodeClient(bytes);
    } catch (err) {
      if (err instanceof UnknownOpcodeError) return this.kick(p, CloseCode.UNKNOWN_OPCODE, err.message);
      if (err instanceof WireFormatError) return this.kick(p, CloseCode.MALFORMED, err.message);
      throw err;
    }
    try {
      this.dispatch(p, m, now, received);
    } catch (err) {
      this.log.error("player-handler-failed", { conn: p.conn, op: m.op, error: (err as Error).stack ?? String(err) });
      this.kick(p, CloseCode.SERVER_ERROR, "the server failed on this message");
    }
  }

  private dispatch(p: Player, m: ClientMessage, now: number, received: number): void {
    if (m.op === PlayerOp.CMSG_PING) {
      // answered at once, not with the next tick: the round trip is what the client measures
      p.send(encodeServer({ op: PlayerOp.SMSG_PONG, clientTime: m.clientTime, serverReceive: received, serverSend: serverClock() }));
      return;
    }
    switch (p.phase) {
      case "handshake":
        if (m.op === PlayerOp.CMSG_HELLO || m.op === PlayerOp.CMSG_RESUME) return void this.lobby.handshake(p, m);
        return this.kick(p, CloseCode.BAD_HANDSHAKE, `the first message must be CMSG_HELLO or CMSG_RESUME, got opcode ${m.op}`);
      case "lobby":
        return this.lobby.message(p, m);
      case "world":
        return this.world(p, m, now);
      default:
        // entering, leaving, checking the session: a message now is out of order but harmless
        if (m.op === PlayerOp.CMSG_HELLO || m.op === PlayerOp.CMSG_RESUME) this.kick(p, CloseCode.OUT_OF_ORDER, "a second handshake");
    }
  }

  private world(p: Player, m: ClientMessage, now: number): void {
    const hub = this.sessions.hubOf(p);
    switch (m.op) {
      case PlayerOp.CMSG_MOVE: {
        // sent before the player applied our last correction: that correction already put it right,
        // and measured from the corrected place it would look like a teleport
        if (m.corrections !== (p.corrections & 255)) return;
        p.moveSeq = m.seq;
        // in a dungeon the player quantizes over the dungeon's size (SMSG_WORLD_CHANGED)
        const q = hub.quantizerOf(p);
        const x = q.x(m.qx);
        const y = q.y(m.qy);
        const v = p.guard.move(x, y, now);
        if (v === "drop") return;
        if (!v.ok) return this.kick(p, v.code, v.why);
        hub.intent(p, { kind: "move", x, y, heading: (m.heading / 256) * 2 * Math.PI });
        return;
      }
      case PlayerOp.CMSG_ATTACK:
        return hub.intent(p, { kind: "attack", target: m.target });
      case PlayerOp.CMSG_LOOT:
        return hub.intent(p, { kind: "loot", target: m.target });
      case PlayerOp.CMSG_SAY:
      case PlayerOp.CMSG_ZONE_CHAT:
        if (!this.social.lineAllowed(p, now, false)) return;
        return hub.intent(p, { kind: m.op === PlayerOp.CMSG_SAY ? "say" : "zone-chat", text: m.text });
      case PlayerOp.CMSG_CHAT:
      case PlayerOp.CMSG_PARTY:
      case PlayerOp.CMSG_FRIEND:
      case PlayerOp.CMSG_GUILD:
        return this.social.message(p, m, now);
      case PlayerOp.CMSG_TRADE_OFFER:
        return hub.intent(p, { kind: "trade-offer", target: m.target, gold: m.gold, items: m.items });
      case PlayerOp.CMSG_TRADE_ACCEPT:
        return hub.intent(p, { kind: "trade-accept", offer: m.offer, gold: m.gold, items: m.items });
      case PlayerOp.CMSG_TRADE_DECLINE:
        return hub.intent(p, { kind: "trade-decline", offer: m.offer });
      case PlayerOp.CMSG_LEAVE:
        return this.door.leave(p);
      case PlayerOp.CMSG_DUNGEON_ENTER:
        return void this.dungeons.enter(p, m.entrance, now);
      case PlayerOp.CMSG_DUNGEON_LEAVE:
        return this.dungeons.leave(p);
      default:
        return this.kick(p, CloseCode.OUT_OF_ORDER, `opcode ${m.op} is not allowed in the world`);
    }
  }

  kick(p: Player, code: number, why: string): void {
    this.sessions.evict(p, code, why);
  }
}
