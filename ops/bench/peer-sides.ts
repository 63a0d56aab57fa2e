// The two servers of the peer benchmark, each with its players connected over real WebSockets
// from this process: ours (two zone nodes and a client node, as real processes, the test world of
// test/harness/client-world.ts playing the realm node) and Colyseus (one server process, one
// room). Both give the benchmark the same handle: which processes to charge, the bytes the
// players have received, the moves the server refused, a way to move a player, a way to stop.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Client, type Room } from "@colyseus/sdk";
import { Quantizer } from "../../common/cell-snapshot.ts";
import { decodeServerFrame, WorldHeaderState } from "../../common/player-codec.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { ClientWorld } from "../../test/harness/client-world.ts";
import { PlayerBot } from "../../test/harness/player-bot.ts";
import { until } from "../../test/harness/realm.ts";
import { freePorts } from "../free-ports.ts";
import { MOVE, ROOM_NAME, type RoomStats, type WorldState } from "./colyseus-room.ts";
import { VISION, WORLD, type PeerWalk } from "./peer-walk.ts";

export interface Side {
  /** The server processes whose CPU is the side's. */
  readonly pids: readonly number[];
  /** Bytes of WebSocket messages all players have received so far. */
  bytes(): number;
  /** WebSocket messages all players have received so far. */
  messages(): number;
  /** Moves the server refused or corrected so far. */
  refused(): Promise<number>;
  /** Players whose connection closed. */
  dropped(): number;
  /** Entities in a sampled player's view, on average: the same interest on both sides shows here. */
  visible(): number;
  move(i: number, walk: PeerWalk): void;
  stop(): Promise<void>;
}

/**
 * Players that decode what they receive and keep their view (the rest only count bytes): decoding
 * every player's state here would starve this process, and with it the 20 Hz moves of both sides.
 */
const SAMPLED = 10;

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Players join this many at a time: fast, without a flood of handshakes at once. */
const JOIN_BATCH = 5;
const q = new Quantizer(WORLD, WORLD);

async function inBatches(count: number, join: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < count; i += JOIN_BATCH) {
    await Promise.all(Array.from({ length: Math.min(JOIN_BATCH, count - i) }, (_, k) => join(i + k)));
  }
}

/** Teardown steps, run last-in first-out, as tap runs a test's. */
class Teardowns {
  private readonly steps: (() => Promise<void> | void)[] = [];

  teardown(fn: () => Promise<void> | void): void {
    this.steps.push(fn);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** Tries to join a player this many times: on a loaded machine one entry may outlast the bot's wait. */
const JOIN_ATTEMPTS = 3;

/** ClientWorld.player, but a join that fails closes its bot (so no half-joined player lingers) and is tried again. */
async function joinOurs(world: ClientWorld, x: number, y: number): Promise<PlayerBot> {
  for (let attempt = 1; ; attempt++) {
    const a = world.account(x, y);
    const bot = await PlayerBot.connect(world.url(), `P${a.entity}`);
    try {
      await bot.hello(a.session);
      await bot.select(a.characterId);
      return bot;
    } catch (err) {
      bot.close();
      if (attempt >= JOIN_ATTEMPTS) throw err;
    }
  }
}

/** Ours with two zone nodes (the world split down the middle) or one over the whole world. */
export async function startOurs(walk: PeerWalk, zones: 1 | 2 = 2): Promise<Side> {
  const teardowns = new Teardowns();
  const bots: PlayerBot[] = [];
  let bytes = 0;
  let messages = 0;
  let corrections = 0;
  const stop = async (): Promise<void> => {
    for (const bot of bots) bot.close();
    await teardowns.run();
  };
  try {
    // a player whose join was given up leaves the world a second later, before the measuring starts
    const world = await ClientWorld.start(teardowns, { size: WORLD, vision: VISION, zones, record: false, edit: (doc) => (doc.realms[0].reconnect_grace = "1s") });
    await inBatches(walk.count, async (i) => {
      const bot = await joinOurs(world, walk.x[i]!, walk.y[i]!);
      bots[i] = bot;
      // count instead of keeping every frame as the bot would; every frame is decoded, since
      // each SMSG_WORLD's header is a delta from the one before it
      const header = new WorldHeaderState();
      bot.ws.removeAllListeners("message");
      bot.ws.on("message", (data: Buffer) => {
        bytes += data.length;
        messages++;
        for (const m of decodeServerFrame(data, header)) {
          if (m.op === PlayerOp.SMSG_WORLD) bot.view.apply(m);
          else if (m.op === PlayerOp.SMSG_VIEW_RESET) bot.view.clear();
          else if (m.op === PlayerOp.SMSG_CORRECT) corrections++;
        }
      });
    });
    return {
      pids: [...world.children.values()].map((c) => c.pid!),
      bytes: () => bytes,
      messages: () => messages,
      refused: async () => corrections,
      dropped: () => bots.filter((b) => b.closed).length,
      visible: () => mean(bots.slice(0, SAMPLED).map((b) => b.view.size)),
      move: (i, w) => bots[i]!.move(w.x[i]!, w.y[i]!, WORLD, WORLD, w.dir[i]!),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

const TSX = import.meta.resolve("tsx");
const SERVER_MAIN = fileURLToPath(new URL("./colyseus-server-main.ts", import.meta.url));

interface ServerLine {
  event?: string;
  error?: string;
}

export async function startColyseus(walk: PeerWalk): Promise<Side> {
  const [port] = await freePorts(1);
  const child = spawn(process.execPath, ["--import", TSX, SERVER_MAIN, String(port)], { stdio: ["pipe", "pipe", "pipe"] });
  const exited = once(child, "exit");
  const lines: ServerLine[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      lines.push(JSON.parse(line) as ServerLine);
    } catch {
      // Colyseus's own console lines
    }
  });
  const rooms: Room[] = [];
  let bytes = 0;
  let messages = 0;
  let dropped = 0;
  const stop = async (): Promise<void> => {
    // a leave waits for the server's answer: a server already gone must not hold the benchmark
    await Promise.race([Promise.all(rooms.map((r) => r.leave(true).catch(() => undefined))), new Promise((r) => setTimeout(r, 5000).unref())]);
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      const hard = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(hard);
    }
  };
  const line = (event: string): Promise<ServerLine> =>
    until(`the Colyseus server's ${event} line`, 20_000, () => {
      const found = lines.find((l) => l.event === event);
      if (found) lines.splice(lines.indexOf(found), 1);
      else if (child.exitCode !== null) throw new Error(`the Colyseus server exited (${child.exitCode}): ${lines.find((l) => l.error)?.error ?? stderr.trim()}`);
      return found;
    });
  try {
    await line("listening");
    const client = new Client(`http://127.0.0.1:${port}`);
    const first = await client.create(ROOM_NAME, { x: walk.x[0], y: walk.y[0] });
    rooms[0] = first;
    await inBatches(walk.count - 1, async (k) => {
      rooms[k + 1] = await client.joinById(first.roomId, { x: walk.x[k + 1], y: walk.y[k + 1] });
    });
    for (const [i, room] of rooms.entries()) {
      // once joined, a client answers nothing: only the sampled ones decode the state
      const deliver = i < SAMPLED ? room.connection.events.onmessage : undefined;
      room.connection.events.onmessage = (ev: { data: ArrayBuffer }) => {
        bytes += ev.data.byteLength;
        messages++;
        deliver?.(ev);
      };
      room.onLeave(() => dropped++);
    }
    return {
      pids: [child.pid!],
      bytes: () => bytes,
      messages: () => messages,
      refused: async () => {
        child.stdin.write("stats\n");
        return ((await line("stats")) as unknown as RoomStats).refused;
      },
      dropped: () => dropped,
      visible: () => mean(rooms.slice(0, SAMPLED).map((r) => (r.state as WorldState).entities.size)),
      move: (i, w) => rooms[i]!.send(MOVE, { x: q.qx(w.x[i]!), y: q.qy(w.y[i]!), heading: w.heading(i) }),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
