// One worker process's share of the bots: logs them in at its share of the ramp, steps those in
// the world ten times a second (half of them on each 50 ms tick, so moves leave evenly), reports
// progress to the parent every second, and at the end has every bot leave and hands back what
// they counted and their ledgers.
import { randomUUID } from "node:crypto";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog, type Log } from "../../common/log.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import type { Wire } from "../../common/wire.ts";
import { loadConfig } from "../../config/load.ts";
import { clientNodeUrl, type RealmSpec } from "../../common/topology.ts";
import { ClumpMind, clumpCell, PatrolMind, SpreadMind } from "./behaviors.ts";
import { PartyDesk, PartyMind } from "./party.ts";
import { Bot, type BotContext, type Mind } from "./bot.ts";
import { DungeonMind } from "./dungeon.ts";
import { FightMind } from "./fight.ts";
import { emptyProgress, type BotRates, type FromWorker, type Progress, type WorkerResult, type WorkerSpec } from "./ipc.ts";
import { LoginDoor } from "./login.ts";
import type { Behavior } from "./options.ts";
import { addCounters, addTally, Histogram, newCounters, tally } from "./stats.ts";
import { TradeDesk, TradeMind } from "./trade.ts";
import { TruthFeed } from "./truth.ts";

const TICK_MS = 50;
const PROGRESS_MS = 1000;
const CHECK_VIEWS_MS = 2000;
/** Views compared per check: enough to see a trend, cheap beside the bots themselves. */
const VIEWS_PER_CHECK = 4;
/** Behaviors with a spot to reach (and a time to reach it). */
const PLACING: ReadonlySet<Behavior> = new Set(["clump", "patrol", "trade", "dungeon", "party"]);

function mindsFor(behavior: Behavior, realm: RealmSpec): (bot: Bot) => Mind {
  switch (behavior) {
    case "spread":
      return (bot) => new SpreadMind(bot);
    case "clump": {
      const cell = clumpCell(realm);
      return (bot) => new ClumpMind(bot, cell);
    }
    case "patrol":
      return (bot) => new PatrolMind(bot, realm);
    case "fight":
      return (bot) => new FightMind(bot);
    case "dungeon":
      return (bot) => new DungeonMind(bot);
    case "trade": {
      const desk = new TradeDesk();
      return (bot) => new TradeMind(bot, desk);
    }
    case "party": {
      const desk = new PartyDesk();
      return (bot) => new PartyMind(bot, desk);
    }
  }
}

interface Window {
  at: number;
  bytes: number[];
  frames: number[];
  updates: number[];
}

export class BotWorker {
  private readonly bots: Bot[];
  private readonly door: LoginDoor;
  private readonly log: Log;
  private readonly rtt = new Histogram();
  private readonly wire: Wire | undefined;
  private readonly truth: TruthFeed | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private stopping = false;
  private started = 0;
  private tick = 0;
  private viewTurn = 0;
  private window: Window | undefined;

  constructor(
    private readonly spec: WorkerSpec,
    private readonly send: (m: FromWorker) => void,
  ) {
    const config = loadConfig(spec.configFile);
    const realm = config.realms.find((r) => r.name === spec.realm);
    if (!realm) throw new Error(`no realm ${spec.realm} in ${spec.configFile}`);
    this.log = createLog(`bots-worker-${spec.worker}`, "info");
    this.door = new LoginDoor(config.login.nodes, realm.name);
    let grantGold: BotContext["grantGold"];
    if (spec.behavior === "trade") {
      const db = realm.database;
      const wire = realmWire(config, `bots-${process.pid}`, this.log);
      const client = new DatabaseClient(wire, db.id);
      this.wire = wire;
      grantGold = async (bot, amount) => {
        if (bot.characterId === undefined) return;
        const opId = randomUUID();
        bot.granted(opId, amount, await client.grantGold(bot.characterId, amount, "realm bots", opId));
      };
    }
    const ctx: BotContext = {
      realm,
      clientUrls: config.clientNodes.map(clientNodeUrl),
      password: spec.password,
      door: this.door,
      log: this.log,
      rtt: this.rtt,
      stopping: () => this.stopping,
      mind: mindsFor(spec.behavior, realm),
      grantGold,
    };
    this.bots = spec.bots.map((n) => new Bot(n, ctx));
    if (spec.checkViews) this.truth = new TruthFeed(realm, config);
  }

  start(): void {
    const every = 1000 / this.spec.ramp;
    const began = Date.now();
    // the ramp keeps to its rate on average even when a timer fires late
    const ramp = setInterval(() => {
      const due = Math.min(this.bots.length, Math.floor((Date.now() - began) / every) + 1);
      while (this.started < due && !this.stopping) void this.bots[this.started++]!.start();
      if (this.started >= this.bots.length) clearInterval(ramp);
    }, Math.max(5, Math.min(every, 100)));
    this.timers.push(ramp);
    this.timers.push(setInterval(() => this.step(), TICK_MS));
    this.timers.push(setInterval(() => this.send({ type: "progress", progress: this.progress() }), PROGRESS_MS));
    if (this.truth) this.timers.push(setInterval(() => this.checkViews(), CHECK_VIEWS_MS));
  }

  private step(): void {
    const now = Date.now();
    const half = this.tick++ % 2;
    for (let i = half; i < this.bots.length; i += 2) this.bots[i]!.step(now);
  }

  /** A few bots' views each time, taken in turn. */
  private checkViews(): void {
    const inWorld = this.bots.filter((b) => b.inWorld);
    for (let k = 0; k < Math.min(VIEWS_PER_CHECK, inWorld.length); k++) this.truth!.compare(inWorld[this.viewTurn++ % inWorld.length]!);
  }

  progress(): Progress {
    const p = emptyProgress();
    if (PLACING.has(this.spec.behavior)) p.placing = this.bots.length;
    for (const b of this.bots) {
      if (b.placedMs !== undefined) p.placed++;
      if (b.loggedIn) p.loggedIn++;
      if (b.enteredAt !== undefined) p.entered++;
      if (b.inWorld) p.inWorld++;
      if (b.state === "failed") p.failed++;
      p.disconnects += b.counters.disconnects;
      p.resumes += b.counters.resumes;
      p.relogins += b.counters.relogins;
    }
    return p;
  }

  /** The measured window opens: what each bot received so far is not counted. */
  measure(): void {
    this.window = { at: Date.now(), bytes: this.bots.map((b) => b.bytes), frames: this.bots.map((b) => b.frames), updates: this.bots.map((b) => b.updates) };
  }

  async stop(): Promise<WorkerResult> {
    const progress = this.progress();
    const w = this.window;
    const now = Date.now();
    const windowMs = w ? now - w.at : 0;
    const rates: BotRates[] = [];
    this.bots.forEach((b, i) => {
      if (!w || b.enteredAt === undefined) return;
      // a bot that came in after the window opened is measured from its entry
      const s = (now - Math.max(w.at, b.enteredAt)) / 1000;
      if (s >= 1) rates.push({ bytesPerSec: (b.bytes - w.bytes[i]!) / s, framesPerSec: (b.frames - w.frames[i]!) / s, updatesPerSec: (b.updates - w.updates[i]!) / s });
    });
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all(this.bots.map((b) => b.leave()));
    this.door.close();
    await this.truth?.close();
    await this.wire?.close();
    const counters = newCounters();
    const closeCodes = {};
    const refusals = {};
    const failures = {};
    for (const b of this.bots) {
      addCounters(counters, b.counters);
      addTally(closeCodes, b.closeCodes);
      addTally(refusals, b.refusals);
      if (b.failure) tally(failures, b.failure.replace(/bot_\d+|Bot[a-z]+/g, "<bot>"));
    }
    return {
      progress,
      windowMs,
      rates,
      counters,
      closeCodes,
      refusals,
      failures,
      loginStatuses: Object.fromEntries(this.door.statuses),
      rtt: this.rtt.toData(),
      placedMs: this.bots.flatMap((b) => (b.placedMs === undefined ? [] : [b.placedMs])),
      returnMs: this.bots.flatMap((b) => b.returnMs),
      placing: PLACING.has(this.spec.behavior) ? this.bots.length : 0,
      views: this.truth?.check,
      ledgers: this.bots.map((b) => b.ledger),
    };
  }
}
