// The realm node's side of dungeons: a party leader at an entrance asks in (through its client
// node); the zone holding it says who of the party stands at the entrance; the realm takes a node
// from the pool all realms share (the node itself answers busy, so two realms never get one) and
// has the zone hand those players to it. With no node free the request waits in a FIFO queue and
// its player hears its position move; a node freeing (INSTANCE_CLOSED, or a retry, since another
// realm's dungeon may close) admits the head. An instance node lost (killed, restarted) gives its
// players back to the zones owning their checkpoints: the entrances.
import { openInstance } from "../../common/instance-pool.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op, type OpCode } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import type { DUNGEON_REFUSALS } from "../../common/protocol/dungeon.ts";
import type { DungeonEntrance, RealmsConfig, RealmSpec } from "../../common/topology.ts";
import type { CharacterDesk } from "./characters.ts";
import type { Directory, Place } from "./directory.ts";
import type { DirectoryGate } from "./directory-gate.ts";
import { DungeonQueue, type Waiting } from "./dungeon-queue.ts";
import { ALONE, type PartyRoster } from "./party-roster.ts";
import type { EntityIds } from "./entity-ids.ts";

/** Another realm's dungeon may close without a word to us: a queued request tries the pool this often. */
const RETRY_MS = 3000;
/** The zone's handoffs to the instance settle within a second; this covers the slow case. */
const TRANSFER_TIMEOUT_MS = 3000;
/** How often the directory is looked at for a party member arriving in another zone. */
const ARRIVAL_POLL_MS = 50;

type Refusal = (typeof DUNGEON_REFUSALS)[number];
type EnterReply = Omit<Body<typeof Op.DUNGEON_ENTER_REPLY>, "corr">;

const refuse = (code: Refusal, error: string): EnterReply => ({ ok: false, code, error });

interface OpenDungeon {
  node: string;
  instance: string;
  entrance: string;
  openedAt: number;
}

/** The instance a party is moved into. */
type Destination = NonNullable<Body<typeof Op.ZONE_TRANSFER>["to"]>;

/** A party member in the world; `place.zone` follows it from zone to zone. */
interface Member {
  place: Place;
  entity: number;
}

/** How a try to get a party in went: in, no node free, or not possible (why). */
type Attempt = { in: true; players: number } | { in: false; full: true } | { in: false; full: false; refusal: EnterReply };

export class Dungeons {
  private readonly queue = new DungeonQueue();
  /** Instances this realm opened, by node. */
  private readonly open = new Map<string, OpenDungeon>();
  /** Accounts whose request is being worked on (not queued): a second one is already-queued. */
  private readonly inFlight = new Set<string>();
  private readonly pool: string[];
  private readonly clientNodes: ReadonlySet<string>;
  private admitting = false;
  private timer: NodeJS.Timeout | undefined;
  admitted = 0;
  dropped = 0;

  constructor(
    private readonly rt: NodeRuntime,
    private readonly realm: RealmSpec,
    config: RealmsConfig,
    private readonly directory: Directory,
    private readonly entities: EntityIds,
    private readonly gate: DirectoryGate,
    private readonly characters: CharacterDesk,
    private readonly roster: PartyRoster = ALONE,
  ) {
    this.pool = config.instances.pool.map((n) => n.id);
    this.clientNodes = new Set(config.clientNodes.map((c) => c.id));
  }

  start(): void {
    const { rt } = this;
    this.gate.on(Op.DUNGEON_ENTER, (b, from) =>
      void this.ask(b.accountId, b.entrance, from).then((answer) => rt.wire.reply(from, Op.DUNGEON_ENTER_REPLY, { corr: b.corr, ...answer })),
    );
    rt.on(Op.INSTANCE_CLOSED, ({ node, instance, realm }, from) => {
      // only the pool node itself says its dungeon closed
      if (from !== node || !this.pool.includes(from) || realm !== this.realm.name) return void rt.log.warn("instance-closed-refused", { from, node, realm });
      this.free(node, instance, "closed");
    });
    rt.onPeerDown((e) => e.kind === "instance" && this.lost(e.nodeId, `reviver: ${e.cause}`));
    this.characters.onWorldStarted((node) => this.pool.includes(node) && this.lost(node, "restarted empty"));
    this.timer = setInterval(() => void this.admit(), RETRY_MS);
    rt.onStop(() => clearInterval(this.timer));
    rt.addVitals(() => ({ dungeonsOpen: this.open.size, dungeonQueue: this.queue.length, dungeonsAdmitted: this.admitted }));
  }

  /** A client node asks on behalf of `accountId` to enter `entrance`. */
  private async ask(accountId: string, entranceName: string, from: string): Promise<EnterReply> {
    const place = this.directory.attachedFrom(accountId, from);
    if (!place) return this.refused(accountId, refuse("not-attached", `account ${accountId} has no session attached from ${from}`));
    const entrance = this.realm.dungeons.find((d) => d.name === entranceName);
    if (!entrance) return this.refused(accountId, refuse("unknown-entrance", `${this.realm.name} has no dungeon entrance named ${entranceName}`));
    if (this.queue.has(accountId) || this.inFlight.has(accountId)) return this.refused(accountId, refuse("already-queued", "a request of this player is already waiting"));
    const where = this.whereIs(place);
    if (typeof where !== "string") return this.refused(accountId, where);
    const waiting: Waiting = { accountId, characterId: place.characterId!, clientNode: from, entrance: entrance.name, since: Date.now() };
    this.inFlight.add(accountId);
    try {
      const party = await this.roster(waiting.characterId).catch(() => [waiting.characterId]);
      // the rule of who may ask for a party, in one place: its leader, listed first
      if (party[0] !== waiting.characterId) return this.refused(accountId, refuse("not-leader", "only the party's leader may take it into a dungeon"));
      // first come, first served: with requests waiting, a new one waits behind them
      const attempt = await this.attempt(waiting, entrance, this.queue.length === 0);
      if (attempt.in) return { ok: true, state: "entering" };
      if (!attempt.full) return this.refused(accountId, attempt.refusal);
      const position = this.queue.push(waiting);
      this.rt.log.info("dungeon-queued", { accountId, characterId: waiting.characterId, entrance: entrance.name, position });
      return { ok: true, state: "queued", position };
    } finally {
      this.inFlight.delete(accountId);
    }
  }

  private refused(accountId: string, r: EnterReply): EnterReply {
    this.rt.log.info("dungeon-refused", { accountId, code: r.code, error: r.error });
    return r;
  }

  /** The zone node holding the place's character, or why it cannot ask in. */
  private whereIs(place: Place): string | EnterReply {
    if (place.characterId === undefined || place.zone === undefined) return refuse("not-in-world", "the player has no character in the world");
    if (this.pool.includes(place.zone)) return refuse("too-far", "the player is in a dungeon already");
    if (!this.realm.zones.some((z) => z.id === place.zone)) return refuse("not-in-world", `${place.zone} is not a zone of ${this.realm.name}`);
    return place.zone;
  }

  /** The party's members in the world with their entity ids; the leader first. */
  private async partyOf(w: Waiting): Promise<Member[]> {
    const party = new Set(await this.roster(w.characterId).catch(() => [w.characterId]));
    party.add(w.characterId);
    const places = [...this.directory.places()].filter((p) => p.characterId !== undefined && party.has(p.characterId) && p.attachedTo !== undefined);
    places.sort((a, b) => Number(b.accountId === w.accountId) - Number(a.accountId === w.accountId));
    return places.filter((p) => typeof this.whereIs(p) === "string").map((place) => ({ place, entity: this.entities.of(place.characterId!) }));
  }

  /**
   * Asks the zones holding `members` who of them stands at the entrance; with `to`, moves those into
   * the instance. A member its zone no longer holds (crossing a border as the party asks in) is asked
   * for again, once, of the zone the directory sees it arrive in. `silent`: zones that did not answer.
   */
  private async transfer(members: Member[], entrance: DungeonEntrance, to?: Destination): Promise<{ near: Set<number>; silent: string[] }> {
    const first = await this.askZones(members, entrance, to);
    if (first.away.length === 0) return first;
    const left = new Map(first.away.map((m) => [m, m.place.zone]));
    const deadline = Date.now() + TRANSFER_TIMEOUT_MS;
    while (Date.now() < deadline && [...left].some(([m, from]) => m.place.zone === from)) await new Promise((r) => setTimeout(r, ARRIVAL_POLL_MS));
    const arrived = [...left].filter(([m, from]) => m.place.zone !== from && typeof this.whereIs(m.place) === "string").map(([m]) => m);
    this.rt.log.info("transfer-followed", { away: first.away.map((m) => m.entity), arrived: arrived.map((m) => ({ entity: m.entity, zone: m.place.zone })) });
    const again = await this.askZones(arrived, entrance, to);
    return { near: new Set([...first.near, ...again.near]), silent: [...first.silent, ...again.silent] };
  }

  private async askZones(members: Member[], entrance: DungeonEntrance, to?: Destination): Promise<{ near: Set<number>; away: Member[]; silent: string[] }> {
    const [x, y] = entrance.at;
    const byZone = new Map<string, Member[]>();
    for (const m of members) {
      const list = byZone.get(m.place.zone!);
      if (list) list.push(m);
      else byZone.set(m.place.zone!, [m]);
    }
    const silent: string[] = [];
    const answers = await Promise.all(
      [...byZone].map(([zone, list]) => {
        const entities = list.map((m) => m.entity);
        return this.rt.wire.request(zone, Op.ZONE_TRANSFER, to ? { entities, x, y, radius: entrance.radius, to } : { entities, x, y, radius: entrance.radius }, TRANSFER_TIMEOUT_MS).then(
          (r) => ({ near: r.near, away: list.filter((m) => r.away?.includes(m.entity)) }),
          (err: Error) => (silent.push(zone), this.rt.log.warn("transfer-unanswered", { zone, error: err.message }), { near: [] as number[], away: [] as Member[] }),
        );
      }),
    );
    return { near: new Set(answers.flatMap((a) => a.near)), away: answers.flatMap((a) => a.away), silent };
  }

  /** Gets the party in if its leader stands at the entrance and (`mayOpen`) a pool node is free. */
  private async attempt(w: Waiting, entrance: DungeonEntrance, mayOpen = true): Promise<Attempt> {
    const members = await this.partyOf(w);
    const leader = this.entities.of(w.characterId);
    const leaderZone = members[0]?.place.zone;
    const { near, silent } = await this.transfer(members, entrance);
    if (!near.has(leader)) {
      // a zone that did not answer could not judge: the player is told so, not that it stands too far
      if (leaderZone !== undefined && silent.includes(leaderZone)) return { in: false, full: false, refusal: refuse("unavailable", `${leaderZone} did not answer in time; try again`) };
      return { in: false, full: false, refusal: refuse("too-far", `not within ${entrance.radius} of the entrance ${entrance.name}`) };
    }
    const opened = mayOpen ? await openInstance(this.rt.wire, this.pool, this.realm.name, entrance.kind) : undefined;
    if (!opened) return { in: false, full: true };
    this.open.set(opened.node, { node: opened.node, instance: opened.instance, entrance: entrance.name, openedAt: Date.now() });
    // only those at the entrance go; the zones judge again as they hand them over
    const at = members.filter((m) => near.has(m.entity));
    const { near: moved } = await this.transfer(at, entrance, { node: opened.node, world: opened.instance, dungeon: entrance.kind, landX: opened.entranceX, landY: opened.entranceY });
    this.rt.log.info("dungeon-entered", { accountId: w.accountId, entrance: entrance.name, instance: opened.instance, entities: [...moved], left: [...near].filter((e) => !moved.has(e)) });
    // an instance nobody reached closes by itself once empty for close_after
    if (moved.size === 0) return { in: false, full: false, refusal: refuse("unavailable", `the dungeon ${opened.instance} could not take the party; try again`) };
    return { in: true, players: moved.size };
  }

  /** Admits queued requests while pool nodes are free; drops those whose player left. */
  private async admit(): Promise<void> {
    if (this.admitting) return;
    this.admitting = true;
    try {
      this.sweep();
      for (let head = this.queue.head; head; head = this.queue.head) {
        const entrance = this.realm.dungeons.find((d) => d.name === head.entrance)!;
        const attempt = await this.attempt(head, entrance);
        if (!attempt.in && attempt.full) return;
        if (attempt.in) {
          this.admitted++;
          this.rt.log.info("dungeon-admitted", { accountId: head.accountId, entrance: head.entrance, waitedMs: Date.now() - head.since, players: attempt.players });
          this.tell(head, { state: "admitted" });
          this.moveUp(head);
        } else {
          this.drop(head, attempt.refusal.error ?? "refused");
        }
      }
    } finally {
      this.admitting = false;
    }
  }

  /** Drops queued requests of players who left the realm, their client node, or the world. */
  private sweep(): void {
    for (const w of [...this.queue.all()]) {
      const place = this.directory.attachedFrom(w.accountId, w.clientNode);
      if (!place || place.characterId !== w.characterId) this.drop(w, "left the realm");
      else if (typeof this.whereIs(place) !== "string") this.drop(w, "no longer in the world");
    }
  }

  private drop(w: Waiting, reason: string): void {
    this.dropped++;
    this.rt.log.info("dungeon-dropped", { accountId: w.accountId, entrance: w.entrance, reason });
    this.tell(w, { state: "dropped", reason });
    this.moveUp(w);
  }

  private moveUp(w: Waiting): void {
    for (const { waiting, position } of this.queue.remove(w)) this.tell(waiting, { state: "queued", position });
  }

  private tell(w: Waiting, status: Pick<Body<typeof Op.DUNGEON_STATUS>, "state" | "position" | "reason">): void {
    this.toClientNode(w.clientNode, Op.DUNGEON_STATUS, { accountId: w.accountId, entrance: w.entrance, ...status });
  }

  private toClientNode<O extends OpCode>(node: string, op: O, body: Body<O>): void {
    if (this.clientNodes.has(node)) this.rt.wire.send(node, op, body);
    // a peer outside the config (a tool acting as a client node) is reached over its own connection
    else this.rt.wire.reply(node, op, body);
  }

  private free(node: string, instance: string, why: string): void {
    const rec = this.open.get(node);
    if (rec && rec.instance === instance) this.open.delete(node);
    this.rt.log.info("instance-freed", { instanceNode: node, instance, why, known: rec !== undefined, queued: this.queue.length });
    void this.admit();
  }

  /** The node is gone with its dungeon: its players go back to their checkpoints (the entrances), and it is free. */
  private lost(node: string, why: string): void {
    const rec = this.open.get(node);
    this.open.delete(node);
    const players = this.directory.inZone(node).length;
    // a node starting for the first time (or that held nothing of ours) is no loss
    if (rec || players > 0) this.rt.log.warn("instance-lost", { instanceNode: node, instance: rec?.instance, players, why });
    void this.characters.restore(node).then(() => this.admit());
  }
}
