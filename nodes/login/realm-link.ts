// What a login node asks the realm nodes: place a granted session, end one, and how full the
// realm is. Every question has a short deadline; a realm node that does not answer is taken for
// restarting (the reviver brings one back in about a second) until it has been silent for
// REALM_WAIT_MS, and logins wait for it that long (front-door.ts).
import { Op } from "../../common/opcodes.ts";
import type { Reply, Request, RequestOp } from "../../common/protocol/index.ts";
import type { RealmStatusReply, SessionGrantReply } from "../../common/protocol/login.ts";
import type { Wire } from "../../common/wire.ts";
import type { RealmSpec } from "../../common/topology.ts";

/** A realm node answers from memory in well under a millisecond; past this it is down or drowning. */
const REALM_ANSWER_MS = 1500;
/** For the realm list: a slow realm shows as down rather than slowing the list. */
const REALM_STATUS_MS = 400;
/** How long logins wait for a realm node that stopped answering before they are told it is down. */
export const REALM_WAIT_MS = 30_000;
/** While a realm node is silent, how often this login node asks whether it answers again. */
const PROBE_EVERY_MS = 500;
/** How often a waiting login looks whether the probes found the realm node answering. */
const WAITER_LOOKS_EVERY_MS = 100;

export class RealmDownError extends Error {
  constructor(readonly realm: string) {
    super(`realm ${realm} is not answering; try again shortly`);
    this.name = "RealmDownError";
  }
}

export class RealmLink {
  /**
   * Per realm whose realm node stopped answering: since when, and the probe that asks it again
   * until it answers (so the silence is known to be unbroken, whether or not logins come).
   */
  private readonly silent = new Map<string, { since: number; probe: NodeJS.Timeout }>();

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

  /** How long the realm node has not answered this login node (0 while it answers). */
  silentFor(realm: string, now = Date.now()): number {
    const s = this.silent.get(realm);
    return s === undefined ? 0 : now - s.since;
  }

  /** True once the realm node answers (at once if it is), false if it is still silent at `until`; holds nothing meanwhile. */
  async answering(realm: string, until: number): Promise<boolean> {
    while (this.silentFor(realm) > 0) {
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, WAITER_LOOKS_EVERY_MS));
    }
    return true;
  }

  /** Asks the realm node, keeping track of whether it answers. */
  private async ask<O extends RequestOp>(realm: string, op: O, body: Request<O>, timeoutMs: number): Promise<Reply<O>> {
    const node = this.nodeOf(realm);
    const askedAt = Date.now();
    try {
      const reply = await this.wire.request(node, op, body, timeoutMs);
      const s = this.silent.get(realm);
      if (s) {
        clearInterval(s.probe);
        this.silent.delete(realm);
      }
      return reply;
    } catch (err) {
      if (!this.silent.has(realm)) {
        const probe = setInterval(() => void this.status(realm), PROBE_EVERY_MS);
        // the node's stop must not wait for it
        probe.unref();
        this.silent.set(realm, { since: askedAt, probe });
      }
      throw err;
    }
  }

  async grant(realm: string, grant: Request<typeof Op.SESSION_GRANT>): Promise<SessionGrantReply> {
    try {
      return await this.ask(realm, Op.SESSION_GRANT, grant, REALM_ANSWER_MS);
    } catch {
      throw new RealmDownError(realm);
    }
  }

  /** True when the realm node freed a place; false when it had none for it or did not answer. */
  async end(realm: string, accountId: string, reason: string, sessionHash?: string): Promise<boolean> {
    const body: Request<typeof Op.SESSION_END> = { accountId, reason };
    if (sessionHash !== undefined) body.sessionHash = sessionHash;
    try {
      return (await this.ask(realm, Op.SESSION_END, body, REALM_ANSWER_MS)).ended;
    } catch {
      return false;
    }
  }

  /** The realm's population, or undefined when its realm node did not answer in time. */
  async status(realm: string): Promise<RealmStatusReply | undefined> {
    try {
      return await this.ask(realm, Op.REALM_STATUS_REQUEST, {}, REALM_STATUS_MS);
    } catch {
      return undefined;
    }
  }
}
