// A player's requests about dungeons: CMSG_DUNGEON_ENTER asks the realm node (which opens an
// instance or queues the request), CMSG_DUNGEON_LEAVE asks the world holding the character, and
// the realm node's DUNGEON_STATUS (queue position, admitted, dropped) reaches the player. The
// move itself comes as the zone's `redirect` event (world-door.ts).
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { encodeServer, type DungeonNews } from "../../common/player-codec.ts";
import { DUNGEON_REFUSAL_CODES, DungeonState, PlayerOp } from "../../common/player-opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import type { Player } from "./player.ts";
import type { Sessions } from "./sessions.ts";

const REALM_TIMEOUT_MS = 3000;
/** An entrance name as realms.yaml may give it (common/protocol/dungeon.ts entranceName). */
const MAX_ENTRANCE_BYTES = 64;

type Refusal = keyof typeof DUNGEON_REFUSAL_CODES;
const STATUS_STATES = { queued: DungeonState.QUEUED, admitted: DungeonState.ADMITTED, dropped: DungeonState.DROPPED } as const;

export class DungeonDesk {
  constructor(
    private readonly rt: NodeRuntime,
    private readonly sessions: Sessions,
  ) {
    rt.on(Op.DUNGEON_STATUS, (b, from) => this.status(b, from));
  }

  /** CMSG_DUNGEON_ENTER: refused here when it cannot be right, else the realm node decides. */
  async enter(p: Player, entrance: string, now: number): Promise<void> {
    if (Buffer.byteLength(entrance) > MAX_ENTRANCE_BYTES || entrance.length === 0) return refuse(p, `an entrance name is 1 to ${MAX_ENTRANCE_BYTES} bytes`);
    if (!p.guard.dungeonAsk(now)) return refuse(p, "dungeon requests too fast");
    if (p.dungeon) return refuse(p, "already in a dungeon");
    const realm = this.sessions.hubOf(p).realm;
    const news = (state: number, position = 0, code = 0, text = ""): void => tell(p, { state, entrance, position, code, text });
    try {
      const r = await this.rt.wire.request(realm.realmNode.id, Op.DUNGEON_ENTER, { accountId: p.accountId, entrance }, REALM_TIMEOUT_MS);
      if (!r.ok) return news(DungeonState.REFUSED, 0, codeOf(r.code), r.error ?? r.code ?? "refused");
      if (r.state === "queued") return news(DungeonState.QUEUED, r.position ?? 0);
      news(DungeonState.ENTERING);
    } catch (err) {
      news(DungeonState.REFUSED, 0, DUNGEON_REFUSAL_CODES.unavailable, `the realm node did not answer (${(err as Error).message})`);
    }
  }

  /** CMSG_DUNGEON_LEAVE: the world holding the character (the instance) takes it back to the entrance. */
  leave(p: Player): void {
    if (!p.dungeon) return refuse(p, "not in a dungeon");
    this.sessions.hubOf(p).intent(p, { kind: "dungeon-leave" });
  }

  private status(b: Body<typeof Op.DUNGEON_STATUS>, from: string): void {
    const p = this.sessions.byAccount.get(b.accountId);
    // a realm node speaks only for its own realm's players
    if (!p || this.sessions.hubs.get(p.realm)?.realm.realmNode.id !== from) return void this.rt.log.warn("dungeon-status-dropped", { accountId: b.accountId, from });
    tell(p, { state: STATUS_STATES[b.state], entrance: b.entrance, position: b.position ?? 0, code: 0, text: b.reason ?? "" });
  }
}

function tell(p: Player, news: DungeonNews): void {
  p.send(encodeServer({ op: PlayerOp.SMSG_DUNGEON, ...news }));
}

function refuse(p: Player, reason: string): void {
  p.send(encodeServer({ op: PlayerOp.SMSG_REFUSED, reason }));
}

const codeOf = (code: string | undefined): number => (code !== undefined && Object.hasOwn(DUNGEON_REFUSAL_CODES, code) ? DUNGEON_REFUSAL_CODES[code as Refusal] : DUNGEON_REFUSAL_CODES.unavailable);
