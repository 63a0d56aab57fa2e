// What a login node asks the realm nodes: place a granted session, end one, and how full the
// realm is. Every question has a short deadline: a realm node that does not answer is down.
import { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import type { RealmStatusReply, SessionGrant, SessionGrantReply } from "../../common/protocol/login.ts";
import type { Wire } from "../../common/wire.ts";
import type { RealmSpec } from "../../config/model.ts";

/** A realm node answers from memory in well under a millisecond; past this it is down or drowning. */
export const REALM_ANSWER_MS = 1500;
/** For the realm list: a slow realm shows as down rather than slowing the list. */
export const REALM_STATUS_MS = 400;

export class RealmDownError extends Error {
  constructor(readonly realm: string) {
    super(`realm ${realm} is not answering; try again shortly`);
    this.name = "RealmDownError";
  }
}

export class RealmLink {
  constructor(
    private readonly wire: Wire,
    private readonly realms: readonly RealmSpec[],
  ) {}

  realm(name: string): RealmSpec | undefined {
    return this.realms.find((r) => r.name === name);
  }

  private nodeOf(realm: string): string {
    const spec = this.realm(realm);
    if (!spec) throw new Error(`no realm ${realm} in the config`);
    return spec.realmNode.id;
  }

  async grant(realm: string, grant: Omit<SessionGrant, "corr">): Promise<SessionGrantReply> {
    try {
      const frame = await this.wire.request(this.nodeOf(realm), Op.SESSION_GRANT, grant, REALM_ANSWER_MS);
      return frame.body as Body<typeof Op.SESSION_GRANT_REPLY>;
    } catch {
      throw new RealmDownError(realm);
    }
  }

  /** True when the realm node freed a place; false when it had none for it or did not answer. */
  async end(realm: string, accountId: string, reason: string, sessionHash?: string): Promise<boolean> {
    const body: Omit<Body<typeof Op.SESSION_END>, "corr"> = { accountId, reason };
    if (sessionHash !== undefined) body.sessionHash = sessionHash;
    try {
      const frame = await this.wire.request(this.nodeOf(realm), Op.SESSION_END, body, REALM_ANSWER_MS);
      return (frame.body as Body<typeof Op.SESSION_END_REPLY>).ended;
    } catch {
      return false;
    }
  }

  /** The realm's population, or undefined when its realm node did not answer in time. */
  async status(realm: string): Promise<RealmStatusReply | undefined> {
    try {
      const frame = await this.wire.request(this.nodeOf(realm), Op.REALM_STATUS_REQUEST, {}, REALM_STATUS_MS);
      return frame.body as RealmStatusReply;
    } catch {
      return undefined;
    }
  }
}
