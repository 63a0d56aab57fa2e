// The realm node's side of a player's arrival: a login node grants a session, the realm node
// places it on the least-loaded live client node and answers with that node's URL; the client
// node later checks the handle (once); a second login replaces the first and kicks its
// connection; a logout, a ban or a departure frees the place. Until a starting realm node has
// rebuilt its directory, what depends on it waits (directory-gate.ts).
import type { NodeRuntime } from "../../common/node.ts";
import { Op, type OpCode } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { clientNodeUrl, type RealmsConfig, type RealmSpec } from "../../common/topology.ts";
import { ClientLoads } from "./client-loads.ts";
import { Directory, type Place } from "./directory.ts";
import type { DirectoryGate } from "./directory-gate.ts";

const SWEEP_MS = 250;

export class Placement {
  readonly directory = new Directory();
  private readonly loads: ClientLoads;
  private readonly urls = new Map<string, string>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly liveListeners: ((node: string) => void)[] = [];

  constructor(
    private readonly rt: NodeRuntime,
    private readonly realm: RealmSpec,
    config: RealmsConfig,
    private readonly gate: DirectoryGate,
  ) {
    for (const c of config.clientNodes) this.urls.set(c.id, clientNodeUrl(c));
    this.loads = new ClientLoads(config.clientNodes.map((c) => c.id));
  }

  start(): void {
    const { rt, gate } = this;
    gate.on(Op.SESSION_GRANT, (b, from) => this.grant(b, from));
    gate.on(Op.SESSION_END, (b, from) => {
      const place = this.directory.remove(b.accountId, b.sessionHash);
      if (place) this.kick(place, b.reason);
      rt.log.info("session-ended", { accountId: b.accountId, reason: b.reason, from, hadPlace: place !== undefined });
      rt.wire.reply(from, Op.SESSION_END_REPLY, { corr: b.corr, ended: place !== undefined });
    });
    gate.on(Op.REALM_STATUS_REQUEST, (b, from) => {
      this.sweep();
      rt.wire.reply(from, Op.REALM_STATUS_REPLY, {
        corr: b.corr,
        realm: this.realm.name,
        population: this.directory.population,
        cap: this.realm.playerCap,
        clientNodes: this.loads.live(Date.now()).length,
      });
    });
    rt.on(Op.CLIENT_LOAD, (b, from) => {
      if (!this.loads.report(from, b.players, Date.now())) return;
      rt.log.info("client-node-live", { clientNode: from, players: b.players });
      for (const listener of this.liveListeners) listener(from);
    });
    // the reviver saw the client node die: stop sending players there now, not after 2.5 s of silence
    rt.onPeerDown((e) => {
      if (e.kind === "client" && this.loads.drop(e.nodeId, Date.now())) rt.log.warn("client-node-lost", { clientNode: e.nodeId, why: `reviver: ${e.cause}` });
    });
    gate.on(Op.REALM_SESSION_CHECK, (b, from) => this.check(b, from));
    gate.on(Op.REALM_PLAYER_LEFT, (b, from) => {
      // only the node holding the connection may say the player left
      const place = this.directory.attachedFrom(b.accountId, from);
      if (place) this.directory.remove(place.accountId, place.sessionHash);
      rt.log.info("player-left", { accountId: b.accountId, clientNode: from, hadPlace: place !== undefined });
    });
    this.sweepTimer = setInterval(() => this.sweep(), SWEEP_MS);
    rt.onStop(() => clearInterval(this.sweepTimer));
    rt.addVitals(() => ({
      players: this.directory.population,
      attached: this.directory.attached,
      clientNodesLive: this.loads.live(Date.now()).length,
    }));
  }

  /** Calls `listener` with a client node whose load reports start (first, or again after it went silent). */
  onClientNodeLive(listener: (node: string) => void): void {
    this.liveListeners.push(listener);
  }

  isLive(node: string): boolean {
    return this.loads.isLive(node, Date.now());
  }

  private grant(b: Body<typeof Op.SESSION_GRANT>, from: string): void {
    // places of handles that just expired must not count against the cap
    this.sweep();
    const now = Date.now();
    const reply = (body: Omit<Body<typeof Op.SESSION_GRANT_REPLY>, "corr">): void =>
      this.rt.wire.reply(from, Op.SESSION_GRANT_REPLY, { corr: b.corr, ...body });
    const returning = this.directory.of(b.accountId) !== undefined;
    // a player already in the realm takes back their own place; anyone else needs a free one
    if (!returning && this.directory.population + b.keepFree >= this.realm.playerCap) {
      this.rt.log.info("session-refused", { accountId: b.accountId, code: "full", population: this.directory.population, keepFree: b.keepFree });
      return reply({ ok: false, code: "full" });
    }
    const node = this.loads.choose(now, (n, reportAt) => this.directory.notYetReported(n, reportAt, now));
    const url = node === undefined ? undefined : this.urls.get(node);
    if (node === undefined || url === undefined) {
      this.rt.log.warn("session-refused", { accountId: b.accountId, code: "no-client-node" });
      return reply({ ok: false, code: "no-client-node" });
    }
    const old = this.directory.put({
      accountId: b.accountId,
      accountName: b.accountName,
      sessionHash: b.sessionHash,
      expiresAt: b.expiresAt,
      clientNode: node,
      placedAt: now,
    });
    if (old) this.kick(old, "logged in again elsewhere");
    this.rt.log.info("session-placed", { accountId: b.accountId, clientNode: node, population: this.directory.population, replaced: old !== undefined });
    reply({ ok: true, clientNode: node, url });
  }

  private check(b: Body<typeof Op.REALM_SESSION_CHECK>, from: string): void {
    const verdict = this.directory.attach(b.session, from, Date.now());
    if (!verdict.ok) {
      this.rt.log.info("session-check-refused", { clientNode: from, code: verdict.code });
      return this.rt.wire.reply(from, Op.REALM_SESSION_CHECK_REPLY, { corr: b.corr, ok: false, code: verdict.code });
    }
    const { place } = verdict;
    this.rt.log.info("session-attached", { accountId: place.accountId, clientNode: from, placedOn: place.clientNode });
    this.rt.wire.reply(from, Op.REALM_SESSION_CHECK_REPLY, { corr: b.corr, ok: true, accountId: place.accountId, realm: this.realm.name });
  }

  /** Tells the client node holding (or about to hold) the player's connection to close it. */
  private kick(place: Place, reason: string): void {
    this.kickAt(place.attachedTo ?? place.clientNode, place.accountId, reason);
  }

  kickAt(node: string, accountId: string, reason: string): void {
    this.toClientNode(node, Op.SESSION_KICK, { accountId, reason, at: Date.now() });
    this.rt.log.info("session-kick-sent", { accountId, clientNode: node, reason });
  }

  toClientNode<O extends OpCode>(node: string, op: O, body: Body<O>): void {
    if (this.urls.has(node)) this.rt.wire.send(node, op, body);
    // a peer outside the config (a tool, a test acting as a client node) is reached over its own connection
    else this.rt.wire.reply(node, op, body);
  }

  private sweep(): void {
    const now = Date.now();
    for (const p of this.directory.sweep(now)) this.rt.log.info("session-expired", { accountId: p.accountId, clientNode: p.clientNode });
    for (const node of this.loads.lost(now)) this.rt.log.warn("client-node-lost", { clientNode: node, why: "no load report for 2.5 s" });
  }
}
