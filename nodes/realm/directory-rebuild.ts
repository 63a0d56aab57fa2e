// A starting realm node rebuilds its directory from the nodes that hold the truth: the client
// nodes for who is connected and through which node, the zones and instances for where the
// characters are. It asks them all at once and waits at most REBUILD_WAIT_MS (what depends on
// the directory waits with it, directory-gate.ts); a node that is down or slow is skipped and
// merged when its report comes. Client nodes need not notice that the realm node came back: they
// report every second to it (CLIENT_LOAD), so a client node that has not reported its players
// when its load reports start (or start again) is simply asked then. A resume through another
// client node (SESSION_MOVED) is taken like a one-player report from that node.
import { nodeOfWorld } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { Infer } from "../../common/schema.ts";
import type { heldPlayer, zonePlayer } from "../../common/protocol/directory.ts";
import type { RealmsConfig, RealmSpec } from "../../common/topology.ts";
import type { DirectoryGate } from "./directory-gate.ts";
import type { EntityIds } from "./entity-ids.ts";
import type { Placement } from "./placement.ts";

/** How long a starting realm node waits for the client and zone nodes' reports; the reviver restarts one in about a second. */
const REBUILD_WAIT_MS = 2000;

type Held = Infer<typeof heldPlayer>;
type InWorld = Infer<typeof zonePlayer>;

interface Reports {
  clients: { node: string; players: Held[] }[];
  zones: InWorld[];
}

export class DirectoryRebuild {
  private readonly clientNodes: ReadonlySet<string>;
  private readonly worldNodes: ReadonlySet<string>;
  /** Asked while rebuilding and not done reporting. */
  private readonly unanswered = new Set<string>();
  /** Client nodes whose whole report this realm node has. */
  private readonly reported = new Set<string>();
  /** Reports that came while rebuilding: applied together, clients first, so the zones have the last word on where. */
  private pending: Reports | undefined = { clients: [], zones: [] };
  private timer: NodeJS.Timeout | undefined;
  private rebuildMs = -1;

  constructor(
    private readonly rt: NodeRuntime,
    private readonly realm: RealmSpec,
    config: RealmsConfig,
    private readonly placement: Placement,
    private readonly entities: EntityIds,
    private readonly gate: DirectoryGate,
  ) {
    this.clientNodes = new Set(config.clientNodes.map((c) => c.id));
    this.worldNodes = new Set([...realm.zones.map((z) => z.id), ...config.instances.pool.map((i) => i.id)]);
  }

  start(): void {
    const { rt } = this;
    rt.on(Op.REALM_DIRECTORY_REPORT, ({ realm, players, done }, from) => {
      if (!this.trusted(from, realm, this.clientNodes, "REALM_DIRECTORY_REPORT")) return;
      this.late(from, players.length);
      this.fromClient(from, players);
      if (done) this.answered(from);
    });
    rt.on(Op.SESSION_MOVED, ({ realm, player }, from) => {
      if (!this.trusted(from, realm, this.clientNodes, "SESSION_MOVED")) return;
      rt.log.info("session-moved", { accountId: player.accountId, to: from, entity: player.entity });
      this.fromClient(from, [player]);
      this.placement.directory.resumed(player.accountId);
    });
    rt.on(Op.ZONE_PLAYERS_REPORT, ({ realm, players, done }, from) => {
      if (!this.trusted(from, realm, this.worldNodes, "ZONE_PLAYERS_REPORT")) return;
      this.late(from, players.length);
      if (this.pending) this.pending.zones.push(...players);
      else this.applyZones(players);
      if (done) this.answered(from);
    });
    this.placement.onClientNodeLive((node) => {
      if (!this.reported.has(node) && !this.unanswered.has(node)) this.ask(node, Op.REALM_DIRECTORY_REQUEST);
      this.finishIfComplete();
    });
    for (const node of this.clientNodes) this.ask(node, Op.REALM_DIRECTORY_REQUEST);
    for (const node of this.worldNodes) this.ask(node, Op.ZONE_PLAYERS_REQUEST);
    this.timer = setTimeout(() => this.finish(), REBUILD_WAIT_MS);
    rt.onStop(() => clearTimeout(this.timer));
    rt.addVitals(() => ({ directoryRebuildMs: this.rebuildMs }));
  }

  private ask(node: string, op: typeof Op.REALM_DIRECTORY_REQUEST | typeof Op.ZONE_PLAYERS_REQUEST): void {
    if (this.pending) this.unanswered.add(node);
    this.rt.wire.send(node, op, { realm: this.realm.name });
  }

  /** Only the nodes that hold this realm's players may report them. */
  private trusted(from: string, realm: string, nodes: ReadonlySet<string>, what: string): boolean {
    if (realm === this.realm.name && nodes.has(from)) return true;
    this.rt.log.warn("directory-report-refused", { from, realm, what, why: nodes.has(from) ? `not realm ${this.realm.name}` : "not a node of this realm in the config" });
    return false;
  }

  /** A report after the rebuild (the node was slow or down then, or was asked again): merged as it comes. */
  private late(from: string, players: number): void {
    if (!this.pending) this.rt.log.info("directory-report-late", { from, players, population: this.placement.directory.population });
  }

  private fromClient(node: string, players: Held[]): void {
    if (this.pending) this.pending.clients.push({ node, players });
    else this.applyClient(node, players, Date.now());
  }

  private answered(node: string): void {
    this.unanswered.delete(node);
    if (this.clientNodes.has(node)) this.reported.add(node);
    this.finishIfComplete();
  }

  /** Done early when every node answered and every client node that did can take players (its load is known). */
  private finishIfComplete(): void {
    if (!this.pending || this.unanswered.size > 0) return;
    if ([...this.reported].every((n) => this.placement.isLive(n))) this.finish();
  }

  private finish(): void {
    const reports = this.pending;
    if (!reports) return;
    this.pending = undefined;
    clearTimeout(this.timer);
    // players attached before this node started: the client nodes' load reports already count them
    const before = this.rt.startedAt;
    for (const { node, players } of reports.clients) this.applyClient(node, players, before);
    this.applyZones(reports.zones);
    this.rebuildMs = Date.now() - this.rt.startedAt;
    const { directory } = this.placement;
    let inWorld = 0;
    for (const p of directory.places()) if (p.characterId !== undefined) inWorld++;
    const rebuilt = { ms: this.rebuildMs, players: directory.population, inWorld, clientNodes: [...this.reported], missing: [...this.unanswered] };
    this.unanswered.clear();
    const held = this.gate.open();
    this.rt.log.info("directory-rebuilt", { ...rebuilt, heldMessages: held });
  }

  private applyClient(node: string, players: Held[], at: number): void {
    const { directory } = this.placement;
    for (const p of players) {
      const place = directory.heldBy(p.accountId, node, at);
      if (!place) {
        // the account logged in again since: the connection this node holds is the older one
        this.placement.kickAt(node, p.accountId, "logged in again elsewhere");
        continue;
      }
      // a player in the lobby has no character in the world (one that left it left the realm too)
      if (p.characterId === undefined) continue;
      directory.placeCharacter(place, p.characterId, p.world === undefined ? undefined : nodeOfWorld(p.world));
      if (p.entity !== undefined) this.entities.learn(p.characterId, p.entity);
    }
  }

  /** Where the characters are, for the players whose client node the zone names (not a stale character of an older connection). */
  private applyZones(players: InWorld[]): void {
    for (const p of players) {
      this.entities.learn(p.characterId, p.entity);
      const place = this.placement.directory.of(p.accountId);
      if (place?.attachedTo !== p.clientNode) continue;
      this.placement.directory.placeCharacter(place, p.characterId, nodeOfWorld(p.world));
    }
  }
}
