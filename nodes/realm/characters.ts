// A player's characters, on behalf of the client node holding the player's connection: list,
// create, delete through the realm's database node; select, which also routes the character to
// the zone owning its position and records that in the directory.
import { randomUUID } from "node:crypto";
import { DbError } from "../../common/errors.ts";
import { nodeOfWorld } from "../../common/world-address.ts";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { CHARACTER_REFUSALS, type CharacterRefusal, type CharacterSummaryBody } from "../../common/protocol/characters.ts";
import type { RealmSpec, ZoneSpec } from "../../common/topology.ts";
import { characterNameProblem } from "./character-names.ts";
import type { Directory } from "./directory.ts";
import type { DirectoryGate } from "./directory-gate.ts";
import type { EntityIds } from "./entity-ids.ts";
import { ALONE, type PartyRoster } from "./party-roster.ts";

/** The part of the database client this desk needs (common/db-client.ts provides it). */
interface CharacterStore {
  listCharacters(accountId: string): Promise<CharacterSummaryBody[]>;
  createCharacter(accountId: string, name: string, x: number, y: number, opId?: string): Promise<CharacterSummaryBody>;
  deleteCharacter(accountId: string, characterId: string, opId?: string): Promise<void>;
  loadCharacter(characterId: string): Promise<{ id: string; accountId: string; name: string; level: number; x: number; y: number; stats: Record<string, number>; version: number }>;
}

/** How many ids to try when a zone says an id is another character's. */
const ENTER_TRIES = 3;
const ZONE_ENTER_TIMEOUT_MS = 3000;
const DEFAULT_SPEED = 7;
const DEFAULT_HP = 100;

/** The zone whose region [x0, y0, x1, y1) holds the point. */
export function zoneAt(realm: RealmSpec, x: number, y: number): ZoneSpec | undefined {
  return realm.zones.find(({ region: [x0, y0, x1, y1] }) => x >= x0 && x < x1 && y >= y0 && y < y1);
}

/** New characters start at the centre of a zone, the zones taken in turn, so starting crowds spread over zone nodes. */
export function startingPoint(realm: RealmSpec, nth: number): { x: number; y: number } {
  const zone = realm.zones[nth % realm.zones.length];
  if (!zone) throw new Error(`realm ${realm.name} has no zones`);
  const [x0, y0, x1, y1] = zone.region;
  return { x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
}

interface Refusal {
  ok: false;
  code: CharacterRefusal;
  error: string;
}

const refusal = (code: CharacterRefusal, error: string): Refusal => ({ ok: false, code, error });

function refusalOf(err: unknown): Refusal {
  if (err instanceof DbError && (CHARACTER_REFUSALS as readonly string[]).includes(err.code)) return refusal(err.code as CharacterRefusal, err.message);
  // a timeout, a dead database node, an answer we do not know: the player may try again
  return refusal("unavailable", `the realm's database is not answering (${(err as Error).message}); try again`);
}

const summary = (c: CharacterSummaryBody): CharacterSummaryBody => ({ id: c.id, accountId: c.accountId, name: c.name, level: c.level, x: c.x, y: c.y });

export class CharacterDesk {
  private created = 0;
  /** Who a selected character belongs with: its party's members already in its zone draw it into their copy. */
  private party: PartyRoster = ALONE;
  private readonly worldStarted: ((node: string) => void)[] = [];
  private readonly worldNodes: ReadonlySet<string>;

  constructor(
    private readonly rt: NodeRuntime,
    private readonly realm: RealmSpec,
    private readonly directory: Directory,
    private readonly store: CharacterStore,
    private readonly gate: DirectoryGate,
    private readonly entities: EntityIds,
    instancePool: readonly string[] = [],
  ) {
    this.worldNodes = new Set([...realm.zones.map((z) => z.id), ...instancePool]);
  }

  landWithParty(roster: PartyRoster): void {
    this.party = roster;
  }

  /** A party member of the character in the world in `zone`, whose copy of the zone it should join. */
  private async companionIn(zone: string, characterId: string): Promise<number | undefined> {
    const members = new Set(await this.party(characterId).catch(() => [characterId]));
    members.delete(characterId);
    if (members.size === 0) return undefined;
    for (const p of this.directory.places()) {
      if (p.characterId !== undefined && members.has(p.characterId) && p.zone === zone) return this.entities.of(p.characterId);
    }
    return undefined;
  }

  /** Calls `listener` with a zone or instance node that (re)started empty, after its players are being put back. */
  onWorldStarted(listener: (node: string) => void): void {
    this.worldStarted.push(listener);
  }

  start(): void {
    const { rt, gate } = this;
    gate.on(Op.CHAR_LIST, (b, from) =>
      void this.answer(from, b.accountId, async () => ({ ok: true, characters: (await this.store.listCharacters(b.accountId)).map(summary) })).then((a) =>
        rt.wire.reply(from, Op.CHAR_LIST_REPLY, { corr: b.corr, ...a }),
      ),
    );
    gate.on(Op.CHAR_CREATE, (b, from) =>
      void this.answer(from, b.accountId, () => this.create(b.accountId, b.name, b.opId)).then((a) => rt.wire.reply(from, Op.CHAR_CREATE_REPLY, { corr: b.corr, ...a })),
    );
    gate.on(Op.CHAR_DELETE, (b, from) =>
      void this.answer(from, b.accountId, async () => {
        await this.store.deleteCharacter(b.accountId, b.characterId, b.opId ?? randomUUID());
        const place = this.directory.of(b.accountId);
        if (place?.characterId === b.characterId) this.directory.clearCharacter(place);
        rt.log.info("character-deleted", { accountId: b.accountId, characterId: b.characterId });
        return { ok: true };
      }).then((a) => rt.wire.reply(from, Op.CHAR_DELETE_REPLY, { corr: b.corr, ...a })),
    );
    gate.on(Op.ZONE_STARTED, ({ zone }, from) => {
      if (zone !== from || !this.worldNodes.has(from)) return void rt.log.warn("zone-started-refused", { from, zone });
      void this.restore(zone);
      for (const listener of this.worldStarted) listener(zone);
    });
    // a player handed from world to world (zone to zone, into or out of a dungeon): the directory follows it
    gate.on(Op.WORLD_ARRIVED, ({ world, entity, characterId, accountId, clientNode }, from) => {
      const place = this.directory.of(accountId);
      if (nodeOfWorld(world) !== from || !this.worldNodes.has(from)) return void rt.log.warn("world-arrived-refused", { from, world, accountId });
      if (place?.characterId !== characterId || (place.attachedTo ?? place.clientNode) !== clientNode) return;
      place.zone = from;
      this.entities.learn(characterId, entity);
    });
    gate.on(Op.CHAR_SELECT, (b, from) =>
      void this.answer(from, b.accountId, () => this.select(b.accountId, b.characterId, from)).then((a) => rt.wire.reply(from, Op.CHAR_SELECT_REPLY, { corr: b.corr, ...a })),
    );
  }

  /** Runs `act` for a player attached from `from`, turning every failure into a refusal. */
  private async answer<T extends { ok: true }>(from: string, accountId: string, act: () => Promise<T | Refusal>): Promise<T | Refusal> {
    if (!this.directory.attachedFrom(accountId, from)) {
      return refusal("not-attached", `account ${accountId} has no session attached from ${from}`);
    }
    try {
      return await act();
    } catch (err) {
      const r = refusalOf(err);
      this.rt.log.info("character-refused", { accountId, code: r.code, error: r.error });
      return r;
    }
  }

  private async create(accountId: string, name: string, opId?: string): Promise<{ ok: true; character: CharacterSummaryBody } | Refusal> {
    const problem = characterNameProblem(name);
    if (problem) return refusal("bad-name", problem);
    const { x, y } = startingPoint(this.realm, this.created++);
    const character = summary(await this.store.createCharacter(accountId, name, x, y, opId ?? randomUUID()));
    this.rt.log.info("character-created", { accountId, characterId: character.id, name });
    return { ok: true, character };
  }

  /** Puts the character in the world: the zone owning its position takes it, spoken for by `clientNode`. */
  private async select(accountId: string, characterId: string, clientNode: string): Promise<{ ok: true; character: CharacterSummaryBody; zone: string; entity: number } | Refusal> {
    const loaded = await this.store.loadCharacter(characterId);
    const character = summary(loaded);
    if (character.accountId !== accountId) return refusal("not-owner", `character ${characterId} belongs to another account`);
    const zone = zoneAt(this.realm, character.x, character.y);
    if (!zone) return refusal("no-zone", `no zone of ${this.realm.name} holds (${character.x}, ${character.y})`);
    const entity = await this.enter(zone.id, loaded, clientNode, await this.companionIn(zone.id, characterId));
    if (typeof entity !== "number") return entity;
    const place = this.directory.of(accountId);
    if (place) this.directory.placeCharacter(place, characterId, zone.id, character.name);
    this.rt.log.info("character-selected", { accountId, characterId, zone: zone.id, entity });
    return { ok: true, character, zone: zone.id, entity };
  }

  /**
   * A zone or instance node came back empty (or died): its players return from their last
   * checkpoints to the zones owning them (the zone itself; out of a dungeon, its entrance), spoken
   * for by the same client nodes.
   */
  async restore(world: string): Promise<void> {
    const places = this.directory.inZone(world);
    // taken at once: a second notice of the same restart (NODE_DOWN, then ZONE_STARTED) finds none
    for (const place of places) delete place.zone;
    for (const place of places) {
      try {
        const loaded = await this.store.loadCharacter(place.characterId!);
        const zone = zoneAt(this.realm, loaded.x, loaded.y);
        if (!zone) throw new Error(`no zone of ${this.realm.name} holds (${loaded.x}, ${loaded.y})`);
        const entity = await this.enter(zone.id, loaded, place.attachedTo ?? place.clientNode);
        if (typeof entity !== "number") throw new Error(entity.error);
        place.zone = zone.id;
        this.rt.log.info("player-restored", { from: world, zone: zone.id, characterId: loaded.id, entity, x: loaded.x, y: loaded.y });
      } catch (err) {
        // still counted in the lost world: its next restart notice tries again
        place.zone = world;
        this.rt.log.warn("player-not-restored", { from: world, characterId: place.characterId, error: (err as Error).message });
      }
    }
  }

  /** `companion`: an entity whose copy of the zone the character joins if it has room (a party member). */
  private async enter(zone: string, c: Awaited<ReturnType<CharacterStore["loadCharacter"]>>, clientNode: string, companion?: number): Promise<number | Refusal> {
    let entity = this.entities.of(c.id);
    for (let attempt = 1; attempt <= ENTER_TRIES; attempt++) {
      const player = {
        entity,
        characterId: c.id,
        accountId: c.accountId,
        clientNode,
        name: c.name,
        x: c.x,
        y: c.y,
        heading: 0,
        level: Math.max(1, Math.min(255, c.level)),
        hp: c.stats.hp ?? DEFAULT_HP,
        maxHp: c.stats.maxHp ?? DEFAULT_HP,
        speed: c.stats.speed ?? DEFAULT_SPEED,
        version: c.version,
        seq: -1,
        seqMask: 0,
        moveSeq: -1,
      };
      const reply = await this.rt.wire.request(zone, Op.ZONE_ENTER, companion === undefined ? { player } : { player, with: companion }, ZONE_ENTER_TIMEOUT_MS);
      if (reply.ok) return entity;
      if (reply.code !== "entity-taken") return refusal("unavailable", `${zone} refused the character (${reply.code ?? "no reason"})`);
      entity = this.entities.fresh(c.id);
    }
    return refusal("unavailable", `${zone} found no free entity id for the character`);
  }
}
