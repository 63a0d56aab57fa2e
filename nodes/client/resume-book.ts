// Reconnect tokens. A player in the world holds a random 32-byte token; every client node holds
// its sha256 and what it needs to take the player back (account, character, entity, zone, last
// place), because the node that issued it may be the one that died. A token is spent once: the
// node that takes it tells all others, and the old holder closes the old socket if it still has it.
import { createHash, randomBytes } from "node:crypto";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import { TOKEN_BYTES } from "../../common/player-codec.ts";
import type { Infer } from "../../common/schema.ts";
import type { resumeGrant, RESUME_ENDS } from "../../common/protocol/client.ts";
import type { RealmsConfig } from "../../common/topology.ts";
import type { PeerLoad } from "./load-report.ts";

export type Grant = Infer<typeof resumeGrant>;
type ResumeEnd = (typeof RESUME_ENDS)[number];

/** A client node whose load reports stopped this long ago is dead (as the realm node judges it too). */
const PEER_SILENT_MS = 2500;
/** Grants per CLIENT_RESUME_GRANT when a whole book is sent (the body's cap is 20,000). */
const GRANTS_PER_MESSAGE = 5000;

interface Entry {
  grant: Grant;
  issuer: string;
}

interface ResumeEvents {
  /** Another node took (or ended) a token this node issued. */
  takenElsewhere(token: string, by: string): void;
  /** A token this node issued ran out its grace period (the player never came back). */
  expired(grant: Grant): void;
  /** A token of a dead node ran out and this node cleans up after it (the first live node by id). */
  orphaned(grant: Grant): void;
}

export const hashToken = (token: Uint8Array): string => createHash("sha256").update(token).digest("hex");

export class ResumeBook {
  private readonly entries = new Map<string, Entry>();
  private readonly peers: string[];
  private readonly graceOf = new Map<string, number>();
  /**
   * When each peer's process started, as its reports say: a new peer, or another start, restarted.
   * (A report counter starting again told it only while the new count was below the old one's
   * last, and a node killed a second after its start had counted to 1.)
   */
  private readonly peerStarted = new Map<string, number>();

  constructor(
    private readonly rt: NodeRuntime,
    config: RealmsConfig,
    /** Latest load report per peer client node, kept by load-report.ts. */
    private readonly peerLoads: Map<string, Pick<PeerLoad, "at" | "started">>,
    private readonly events: ResumeEvents,
  ) {
    this.peers = config.clientNodes.map((c) => c.id).filter((id) => id !== rt.id);
    for (const r of config.realms) this.graceOf.set(r.name, r.reconnectGraceMs);
    rt.on(Op.CLIENT_RESUME_GRANT, ({ grants }, from) => {
      for (const g of grants) this.entries.set(g.token, { grant: g, issuer: from });
    });
    rt.on(Op.CLIENT_RESUME_TAKEN, ({ token, by }) => {
      const e = this.entries.get(token);
      this.entries.delete(token);
      if (e?.issuer === rt.id) this.events.takenElsewhere(token, by);
    });
  }

  get size(): number {
    return this.entries.size;
  }

  /** A fresh token for a player entering (or re-entering) the world; every peer learns its hash at once. */
  issue(g: Omit<Grant, "token">): { token: Uint8Array; hash: string } {
    const token = randomBytes(TOKEN_BYTES);
    const hash = hashToken(token);
    const grant: Grant = { ...g, token: hash };
    this.entries.set(hash, { grant, issuer: this.rt.id });
    this.gossip([grant]);
    return { token, hash };
  }

  /** The player moved to another zone, walked far, or dropped: peers must know where to find it. */
  update(hash: string, change: Partial<Omit<Grant, "token">>): void {
    const e = this.entries.get(hash);
    if (!e || e.issuer !== this.rt.id) return;
    Object.assign(e.grant, change);
    // a key set to undefined (out of a dungeon) is gone, not sent as a null
    for (const k of Object.keys(e.grant) as (keyof Grant)[]) if (e.grant[k] === undefined) delete e.grant[k];
    this.gossip([e.grant]);
  }

  own(hash: string): Grant | undefined {
    const e = this.entries.get(hash);
    return e?.issuer === this.rt.id ? e.grant : undefined;
  }

  /** The grant for a token a player presents, if it is still good. */
  lookup(token: Uint8Array, now: number): { grant: Grant; issuer: string } | undefined {
    const hash = hashToken(token);
    const e = this.entries.get(hash);
    if (!e || this.expired(e, now)) return undefined;
    return e;
  }

  /** Spends a token: no node will take it again; the node that issued it lets go of the old socket. */
  spend(hash: string, why: ResumeEnd): void {
    this.entries.delete(hash);
    for (const peer of this.peers) this.rt.wire.send(peer, Op.CLIENT_RESUME_TAKEN, { token: hash, by: this.rt.id, why });
  }

  /** Once a second: tokens past their grace are dropped, and someone cleans up after each. */
  sweep(now: number): void {
    this.briefRestartedPeers();
    const live = this.liveNodes(now);
    for (const [hash, e] of this.entries) {
      if (!this.expired(e, now)) continue;
      this.entries.delete(hash);
      if (e.issuer === this.rt.id) this.events.expired(e.grant);
      else if (!live.includes(e.issuer) && live[0] === this.rt.id) this.events.orphaned(e.grant);
    }
  }

  private expired(e: Entry, now: number): boolean {
    const grace = this.graceOf.get(e.grant.realm) ?? 30_000;
    if (e.grant.droppedAt !== undefined && now > e.grant.droppedAt + grace) return true;
    if (e.issuer === this.rt.id) return false;
    // a dead issuer never says its players dropped: the grace runs from its last report
    const heard = this.peerLoads.get(e.issuer)?.at;
    return heard !== undefined && now - heard > PEER_SILENT_MS && now > heard + grace;
  }

  private liveNodes(now: number): string[] {
    const live = [this.rt.id];
    for (const [id, r] of this.peerLoads) if (now - r.at <= PEER_SILENT_MS) live.push(id);
    return live.sort();
  }

  private gossip(grants: Grant[], to: readonly string[] = this.peers): void {
    for (const peer of to) this.rt.wire.send(peer, Op.CLIENT_RESUME_GRANT, { grants });
  }

  /**
   * A client node that (re)started knows no token issued before: this node sends it every grant
   * it issued, so the players of the next node to die can resume there too.
   */
  private briefRestartedPeers(): void {
    for (const [peer, r] of this.peerLoads) {
      if (this.peerStarted.get(peer) === r.started) continue;
      this.peerStarted.set(peer, r.started);
      const mine = [...this.entries.values()].filter((e) => e.issuer === this.rt.id).map((e) => e.grant);
      for (let i = 0; i < mine.length; i += GRANTS_PER_MESSAGE) this.gossip(mine.slice(i, i + GRANTS_PER_MESSAGE), [peer]);
      if (mine.length > 0) this.rt.log.info("resume-grants-resent", { peer, grants: mine.length });
    }
  }
}
