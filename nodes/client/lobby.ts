// Before the world: the handshake (a session handle checked with the realm nodes, or a
// reconnect token from the resume book) and the character screen, each answered on the player's
// connection. Character refusals keep the connection open; handshake refusals close it.
import { CHAR_REFUSAL_CODES, CloseCode, PLAYER_PROTOCOL_VERSION, PlayerOp, type CharRefusalWord } from "../../common/player-opcodes.ts";
import { encodeServer, type CharacterEntry, type ClientMessage } from "../../common/player-codec.ts";
import type { Log } from "../../common/log.ts";
import type { CharacterSummaryBody } from "../../common/protocol/characters.ts";
import type { RealmSpec } from "../../common/topology.ts";
import type { Player } from "./player.ts";
import { hashToken } from "./resume-book.ts";
import type { Sessions } from "./sessions.ts";
import type { Reattached, WorldDoor } from "./world-door.ts";

type Hello = Extract<ClientMessage, { op: typeof PlayerOp.CMSG_HELLO | typeof PlayerOp.CMSG_RESUME }>;

const entry = (c: CharacterSummaryBody): CharacterEntry => ({ id: c.id, name: c.name, level: c.level, x: c.x, y: c.y });

export class Lobby {
  private readonly resuming = new Set<string>();

  constructor(
    private readonly sessions: Sessions,
    private readonly door: WorldDoor,
    private readonly log: Log,
  ) {}

  async handshake(p: Player, m: Hello): Promise<void> {
    if (m.version !== PLAYER_PROTOCOL_VERSION) {
      return p.close(CloseCode.UNSUPPORTED_VERSION, `protocol version ${m.version} is not served here; this node speaks ${PLAYER_PROTOCOL_VERSION}`);
    }
    // no second handshake while this one is being checked
    p.phase = "checking";
    if (m.op === PlayerOp.CMSG_RESUME) return this.resume(p, m.token);
    const { sessions } = this;
    const verdict = await sessions.desk.checkSession(m.session);
    if (p.ws.readyState !== p.ws.OPEN) {
      // the handle attached (once) for a connection that is gone: free the place
      if (verdict.ok) sessions.desk.left(verdict.realm, verdict.accountId);
      return;
    }
    if (!verdict.ok) {
      const code = verdict.code === "unavailable" ? CloseCode.REALM_UNAVAILABLE : CloseCode.SESSION_REFUSED;
      return p.close(code, verdict.code === "unavailable" ? "the realm node did not answer; try again" : `session ${verdict.code}`);
    }
    sessions.attach(p, verdict.accountId, verdict.realm.name);
    sessions.count.joined();
    p.phase = "lobby";
    this.welcome(p, verdict.realm);
  }

  private welcome(p: Player, realm: RealmSpec): void {
    p.send(
      encodeServer({
        op: PlayerOp.SMSG_WELCOME,
        version: PLAYER_PROTOCOL_VERSION,
        serverTime: Date.now(),
        accountId: p.accountId,
        realm: realm.name,
        tickHz: realm.tickHz,
        worldWidth: realm.world.width,
        worldHeight: realm.world.height,
        cell: realm.world.cell,
        vision: realm.vision,
        budget: realm.clientBudgetBytes,
        zones: realm.zones.map((z) => z.id),
        regions: realm.zones.map((z) => [...z.region]),
      }),
    );
  }

  /** A reconnect: the token names the character; the zone that holds it takes this node as its voice. */
  private async resume(p: Player, token: Uint8Array): Promise<void> {
    const { sessions } = this;
    const hash = hashToken(token);
    const found = this.resuming.has(hash) ? undefined : sessions.book.lookup(token, Date.now());
    if (!found) return p.close(CloseCode.RESUME_REFUSED, "reconnect token unknown, spent or past its grace period: log in again");
    const g = found.grant;
    const realm = sessions.desk.realmNamed(g.realm);
    if (!realm) return p.close(CloseCode.RESUME_REFUSED, `realm ${g.realm} is not served here`);
    this.resuming.add(hash);
    let at: Reattached | undefined;
    try {
      at = await this.door.reattach(g.realm, g.entity, g.zone);
    } finally {
      this.resuming.delete(hash);
    }
    // gone meanwhile: the token stays good for the next try
    if (p.ws.readyState !== p.ws.OPEN) return;
    sessions.book.spend(hash, "resumed");
    const old = sessions.takeOver(hash);
    sessions.attach(p, g.accountId, g.realm);
    sessions.count.joined();
    p.characterId = g.characterId;
    p.name = g.name;
    p.entity = g.entity;
    p.attachedToZone = at !== undefined;
    if (at?.seq !== undefined) p.seq = at.seq + 1;
    else if (old) p.seq = old.seq;
    if (!at) this.log.warn("zone-reattach-unanswered", { entity: g.entity, zone: g.zone, why: "no zone answered ZONE_REATTACH; resuming from the last known place" });
    sessions.resumes++;
    this.welcome(p, realm);
    this.door.enterWorld(p, sessions.hubOf(p), at?.zone ?? g.zone, at?.x ?? g.x, at?.y ?? g.y, true, g.dungeon);
  }

  message(p: Player, m: ClientMessage): void {
    switch (m.op) {
      case PlayerOp.CMSG_CHAR_LIST:
      case PlayerOp.CMSG_CHAR_CREATE:
      case PlayerOp.CMSG_CHAR_DELETE:
      case PlayerOp.CMSG_CHAR_SELECT:
        void this.character(p, m);
        return;
      case PlayerOp.CMSG_HELLO:
      case PlayerOp.CMSG_RESUME:
        return p.close(CloseCode.OUT_OF_ORDER, "a second handshake");
      default:
        // world messages before entering the world: refused, the connection stays
        p.send(encodeServer({ op: PlayerOp.SMSG_CHAR_REFUSED, request: m.op, code: CHAR_REFUSAL_CODES["not-now"], text: "select a character first" }));
    }
  }

  private refuse(p: Player, request: number, code: string | undefined, text: string): void {
    const n = CHAR_REFUSAL_CODES[(code ?? "unavailable") as CharRefusalWord] ?? CHAR_REFUSAL_CODES.unavailable;
    p.send(encodeServer({ op: PlayerOp.SMSG_CHAR_REFUSED, request, code: n, text }));
  }

  private async character(p: Player, m: ClientMessage): Promise<void> {
    const { desk } = this.sessions;
    const realm = this.sessions.hubOf(p).realm;
    try {
      switch (m.op) {
        case PlayerOp.CMSG_CHAR_LIST: {
          const r = await desk.list(realm, p.accountId);
          if (!r.ok) return this.refuse(p, m.op, r.code, r.error ?? "refused");
          p.send(encodeServer({ op: PlayerOp.SMSG_CHAR_LIST, characters: (r.characters ?? []).map(entry) }));
          return;
        }
        case PlayerOp.CMSG_CHAR_CREATE: {
          const r = await desk.create(realm, p.accountId, m.name);
          if (!r.ok || !r.character) return this.refuse(p, m.op, r.code, r.error ?? "refused");
          p.send(encodeServer({ op: PlayerOp.SMSG_CHAR_CREATED, character: entry(r.character) }));
          return;
        }
        case PlayerOp.CMSG_CHAR_DELETE: {
          const r = await desk.remove(realm, p.accountId, m.characterId);
          if (!r.ok) return this.refuse(p, m.op, r.code, r.error ?? "refused");
          p.send(encodeServer({ op: PlayerOp.SMSG_CHAR_DELETED, characterId: m.characterId }));
          return;
        }
        case PlayerOp.CMSG_CHAR_SELECT: {
          p.phase = "entering";
          const r = await desk.select(realm, p.accountId, m.characterId);
          if (p.phase !== "entering") return;
          if (!r.ok || !r.character || r.entity === undefined) {
            p.phase = "lobby";
            return this.refuse(p, m.op, r.ok ? "unavailable" : r.code, r.error ?? "the realm node did not name the character's entity");
          }
          p.characterId = r.character.id;
          p.name = r.character.name;
          this.door.awaitEnter(p, r.entity, () => {
            p.phase = "lobby";
            this.refuse(p, PlayerOp.CMSG_CHAR_SELECT, "unavailable", "the zone did not take the character in; try again");
          });
          return;
        }
      }
    } catch (err) {
      if (p.phase === "entering") p.phase = "lobby";
      this.refuse(p, m.op, "unavailable", `the realm node is not answering (${(err as Error).message})`);
    }
  }
}
