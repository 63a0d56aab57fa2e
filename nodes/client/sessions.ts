// The players a client node holds, by account and by reconnect token, and what ends or moves a
// session: the account attaching again, a kick, a resume taking the player over, a token spent
// or expired. The lobby, the endpoint, the world door, the directory report and the realm notices
// share it, so none of them needs the whole node.
import type { Log } from "../../common/log.ts";
import { CloseCode } from "../../common/player-opcodes.ts";
import type { PlayerCount } from "./load-report.ts";
import type { Player } from "./player.ts";
import type { RealmDesk } from "./realm-desk.ts";
import type { RealmHub } from "./realm-hub.ts";
import type { Grant, ResumeBook } from "./resume-book.ts";

export class Sessions {
  readonly byAccount = new Map<string, Player>();
  readonly byToken = new Map<string, Player>();
  resumes = 0;
  kicks = 0;

  constructor(
    private readonly log: Log,
    /** One hub per realm, by realm name. */
    readonly hubs: ReadonlyMap<string, RealmHub>,
    readonly desk: RealmDesk,
    readonly book: ResumeBook,
    readonly count: PlayerCount,
  ) {}

  /** The session (or token) checked out: the connection belongs to this account now. */
  attach(p: Player, accountId: string, realm: string): void {
    const before = this.byAccount.get(accountId);
    if (before && before !== p) {
      before.phase = "gone";
      before.close(CloseCode.KICKED, "the account attached again on another connection");
    }
    p.accountId = accountId;
    p.realm = realm;
    p.attachedAt = Date.now();
    this.byAccount.set(accountId, p);
  }

  hubOf(p: Player): RealmHub {
    const hub = this.hubs.get(p.realm);
    if (!hub) throw new Error(`no realm ${p.realm} on this client node`);
    return hub;
  }

  /** Another node took this node's token: the old connection (if still open) makes way. */
  takenElsewhere(token: string, by: string): void {
    const p = this.byToken.get(token);
    if (!p) return;
    this.byToken.delete(token);
    const hub = this.hubOf(p);
    hub.remove(p, true);
    const wasOpen = p.phase !== "dropped";
    p.phase = "gone";
    if (wasOpen) p.close(CloseCode.RESUMED_ELSEWHERE, `the player resumed through ${by}`);
  }

  /** Resume of a token this node issued: the old player object hands over its intent sequence. */
  takeOver(hash: string): Player | undefined {
    const old = this.byToken.get(hash);
    if (!old) return undefined;
    this.byToken.delete(hash);
    this.hubOf(old).remove(old, true);
    const wasOpen = old.phase !== "dropped";
    old.phase = "gone";
    if (wasOpen) old.close(CloseCode.RESUMED_ELSEWHERE, "the player resumed on another connection");
    return old;
  }

  /** A dropped player of this node never came back: its character leaves the world. */
  expired(g: Grant): void {
    const p = this.byToken.get(g.token);
    this.book.spend(g.token, "expired");
    if (!p) return;
    this.byToken.delete(g.token);
    const hub = this.hubOf(p);
    hub.intent(p, { kind: "leave" });
    hub.byEntity.delete(p.entity);
    this.desk.left(hub.realm, p.accountId);
    p.phase = "gone";
    this.log.info("player-expired", { accountId: p.accountId, entity: p.entity, graceMs: hub.realm.reconnectGraceMs });
  }

  forgetToken(p: Player, why: "left" | "expired"): void {
    if (!p.token) return;
    this.byToken.delete(p.token);
    this.book.spend(p.token, why);
  }

  /** SESSION_KICK from the realm node. */
  kick(accountId: string, reason: string, from: string, at: number | undefined): void {
    const p = this.byAccount.get(accountId);
    // ZeroMQ delivers what was queued for a node while it was down once it is back: a kick older
    // than this connection was meant for one that died with the node
    if (p && at !== undefined && at < p.attachedAt) {
      this.log.info("session-kick-stale", { accountId, reason, from, sentAt: at, attachedAt: p.attachedAt });
      return;
    }
    this.log.info("session-kicked", { accountId, reason, from, connected: p !== undefined });
    if (p) this.evict(p, CloseCode.KICKED, reason);
  }

  /**
   * Ends a player's session for cause (a kick from the realm, flooding, garbage): no token comes
   * back from this, so the character leaves the world instead of waiting for a resume.
   */
  evict(p: Player, code: number, why: string): void {
    this.kicks++;
    if (p.inWorld) {
      const hub = this.hubOf(p);
      hub.intent(p, { kind: "leave" });
      hub.remove(p, true);
      this.forgetToken(p, "left");
      this.desk.left(hub.realm, p.accountId);
      p.phase = "gone";
    }
    p.close(code, why);
  }
}
