// What the client node asks the realm nodes on a player's behalf: whether a session handle may
// attach (client nodes serve every realm, so every realm node is asked and the one that knows
// the handle answers yes), and the player's characters.
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { Reply } from "../../common/protocol/index.ts";
import type { RealmsConfig, RealmSpec } from "../../common/topology.ts";

const REALM_TIMEOUT_MS = 3000;

type SessionVerdict = { ok: true; accountId: string; realm: RealmSpec } | { ok: false; code: string; unavailable: boolean };

export class RealmDesk {
  constructor(
    private readonly rt: NodeRuntime,
    private readonly config: RealmsConfig,
  ) {}

  realmNamed(name: string): RealmSpec | undefined {
    return this.config.realms.find((r) => r.name === name);
  }

  async checkSession(session: string): Promise<SessionVerdict> {
    const answers = await Promise.allSettled(
      this.config.realms.map((r) => this.rt.wire.request(r.realmNode.id, Op.REALM_SESSION_CHECK, { session }, REALM_TIMEOUT_MS)),
    );
    let code = "unknown";
    let unavailable = 0;
    for (const [i, a] of answers.entries()) {
      if (a.status === "rejected") {
        unavailable++;
        continue;
      }
      const b = a.value;
      const realm = this.config.realms[i]!;
      if (b.ok && b.accountId) return { ok: true, accountId: b.accountId, realm: (b.realm && this.realmNamed(b.realm)) || realm };
      // "expired" and "used" say more than "unknown" (which every other realm answers)
      if (b.code && b.code !== "unknown") code = b.code;
    }
    // a realm node that did not answer may be the one that knows the handle
    return { ok: false, code: unavailable > 0 && code === "unknown" ? "unavailable" : code, unavailable: unavailable > 0 };
  }

  list(realm: RealmSpec, accountId: string): Promise<Reply<typeof Op.CHAR_LIST>> {
    return this.rt.wire.request(realm.realmNode.id, Op.CHAR_LIST, { accountId }, REALM_TIMEOUT_MS);
  }

  create(realm: RealmSpec, accountId: string, name: string): Promise<Reply<typeof Op.CHAR_CREATE>> {
    return this.rt.wire.request(realm.realmNode.id, Op.CHAR_CREATE, { accountId, name }, REALM_TIMEOUT_MS);
  }

  remove(realm: RealmSpec, accountId: string, characterId: string): Promise<Reply<typeof Op.CHAR_DELETE>> {
    return this.rt.wire.request(realm.realmNode.id, Op.CHAR_DELETE, { accountId, characterId }, REALM_TIMEOUT_MS);
  }

  select(realm: RealmSpec, accountId: string, characterId: string): Promise<Reply<typeof Op.CHAR_SELECT>> {
    return this.rt.wire.request(realm.realmNode.id, Op.CHAR_SELECT, { accountId, characterId }, REALM_TIMEOUT_MS);
  }

  /** The player's connection is gone for good: its place in the realm frees. */
  left(realm: RealmSpec, accountId: string): void {
    this.rt.wire.send(realm.realmNode.id, Op.REALM_PLAYER_LEFT, { accountId });
  }
}
