// A client node: the players' WebSocket endpoint, one RealmHub per realm (cells in, one frame
// per player per tick out), the realm desk for sessions and characters, and the resume book
// that lets a dropped player come back here or through any other client node. The players'
// sessions (sessions.ts) and their way in and out of the world (world-door.ts) are their own.
import { nodeOfWorld } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { CloseCode } from "../../common/player-opcodes.ts";
import type { Intent } from "../../common/protocol/zone.ts";
import type { ClientNodeSpec, RealmsConfig } from "../../common/topology.ts";
import { serveDirectoryRequests } from "./directory-report.ts";
import type { PeerLoad, PlayerCount } from "./load-report.ts";
import { DungeonDesk } from "./dungeon-desk.ts";
import { PlayerEndpoint } from "./player-endpoint.ts";
import { RealmDesk } from "./realm-desk.ts";
import { serveRealmNotices } from "./realm-notices.ts";
import { RealmHub } from "./realm-hub.ts";
import { ResumeBook } from "./resume-book.ts";
import { Sessions } from "./sessions.ts";
import { SocialRelay } from "./social-relay.ts";
import { StallLedger } from "./stall-ledger.ts";
import { WorldDoor } from "./world-door.ts";
import { relayZoneEvents } from "./zone-events.ts";

export class ClientNode {
  readonly hubs = new Map<string, RealmHub>();
  readonly hubOfZone = new Map<string, RealmHub>();
  readonly sessions: Sessions;
  readonly door: WorldDoor;
  readonly endpoint: PlayerEndpoint;
  private readonly social: SocialRelay;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly stalls = new StallLedger();
  /** When each zone or instance node was last sent intents, for the stalls since then. */
  private readonly intentsSentAt = new Map<string, number>();

  constructor(
    readonly rt: NodeRuntime,
    readonly spec: ClientNodeSpec,
    config: RealmsConfig,
    peerLoads: Map<string, PeerLoad>,
    count: PlayerCount,
  ) {
    for (const realm of config.realms) {
      const hub = new RealmHub(realm, rt.id, rt.log, (node, intents, moves) => this.sendIntents(node, intents, moves), rt.mesh, config.instances.pool);
      this.hubs.set(realm.name, hub);
      for (const z of realm.zones) this.hubOfZone.set(z.id, hub);
    }
    const book = new ResumeBook(rt, config, peerLoads, {
      takenElsewhere: (token, by) => this.sessions.takenElsewhere(token, by),
      expired: (g) => this.sessions.expired(g),
      orphaned: (g) => void this.door.orphaned(g),
    });
    this.sessions = new Sessions(rt.log, this.hubs, new RealmDesk(rt, config), book, count);
    this.door = new WorldDoor(rt, this.sessions);
    this.social = new SocialRelay(rt, this.sessions);
    this.endpoint = new PlayerEndpoint(this.sessions, this.door, new DungeonDesk(rt, this.sessions), this.social, rt.log, this.stalls);
  }

  /** A hub's batch for one zone or instance node, with how long this node was stalled since the last. */
  private sendIntents(node: string, intents: Intent[], moves: Buffer | undefined): void {
    const now = Date.now();
    const stalledMs = Math.round(this.stalls.since(this.intentsSentAt.get(node) ?? now, now));
    this.intentsSentAt.set(node, now);
    this.rt.wire.send(node, Op.ZONE_INTENTS, { intents, ...(moves && { moves }), ...(stalledMs > 0 && { stalledMs }) });
  }

  async start(): Promise<void> {
    const { rt } = this;
    rt.on(Op.ZONE_EVENTS, ({ zone, events }) => {
      const hub = this.hubOfZone.get(nodeOfWorld(zone)) ?? this.hubHolding(events[0]?.entity);
      if (!hub) return void rt.log.warn("events-from-unknown-world", { world: zone, events: events.length });
      relayZoneEvents(hub, zone, events, {
        entered: (h, ev, z) => this.door.entered(h, ev, z),
        redirected: (p, z) => this.door.redirected(p, z),
        left: (p) => this.door.finishLeave(p),
      });
    });
    rt.on(Op.SESSION_KICK, ({ accountId, reason, at }, from) => this.sessions.kick(accountId, reason, from, at));
    serveDirectoryRequests(rt, this.sessions);
    serveRealmNotices(rt, this.sessions);
    this.social.start();
    for (const hub of this.hubs.values()) hub.start();
    this.stalls.start();
    await this.endpoint.listen(this.spec.ws, this.spec.tls);
    this.sweepTimer = setInterval(() => this.sweep(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.stalls.stop();
    // players keep their tokens: they come back through another client node (or this one, restarted)
    await this.endpoint.close(CloseCode.GOING_AWAY, "the client node is stopping; reconnect with your token");
    for (const hub of this.hubs.values()) await hub.stop();
  }

  /** An instance serves every realm: its events go to the hub holding their player. */
  private hubHolding(entity: number | undefined): RealmHub | undefined {
    if (entity === undefined) return undefined;
    for (const hub of this.hubs.values()) if (hub.byEntity.has(entity)) return hub;
    return undefined;
  }

  private sweep(): void {
    const now = Date.now();
    const { book } = this.sessions;
    book.sweep(now);
    this.door.sweep(now);
    // peers learn where each player is, roughly, so a resume elsewhere can start there
    for (const hub of this.hubs.values()) {
      for (const p of hub.players) {
        const g = book.own(p.token);
        if (!g) continue;
        const [x, y] = hub.positionOf(p);
        if (Math.hypot(x - g.x, y - g.y) > hub.realm.world.cell) book.update(p.token, { x, y });
      }
    }
  }
}
