// The realm's directory of who is where: one place per account (its session, the client node it
// was placed on or attached from, the character it plays and that character's zone). The number
// of places is the realm's population, which the player cap and the login queue are about.
// A restarted realm node rebuilds it from what the client and zone nodes hold (directory-rebuild.ts).
import { createHash } from "node:crypto";

export interface Place {
  accountId: string;
  /** Unknown for a place rebuilt after a restart: client nodes hold connections, not names or handles. */
  accountName?: string;
  sessionHash?: string;
  /** Until then the handle may attach; a handle that never attached frees its place then. */
  expiresAt: number;
  /** The client node the player was sent to. */
  clientNode: string;
  placedAt: number;
  /** The node that attached the handle (normally clientNode); the session check is single-use. */
  attachedTo?: string;
  attachedAt?: number;
  characterId?: string;
  zone?: string;
}

/** Follows which characters are in the world (the social layer, nodes/realm/social/): told once per entry and once per exit. */
export interface WorldWatcher {
  /** `name` when the caller knows it (a select loaded the character; a rebuild does not). */
  entered(place: Place, name: string | undefined): void;
  left(accountId: string, characterId: string): void;
  /** The player came back on a connection (a resume): what it was sent while it had none may be lost. */
  resumed(place: Place): void;
}

type SessionCheck = { ok: true; place: Place } | { ok: false; code: "unknown" | "expired" | "used" };

export const sessionHashOf = (handle: string): string => createHash("sha256").update(handle, "utf8").digest("hex");

/** How long, and how many, swept handles are remembered, so a late attach hears "expired" rather than "unknown". */
const EXPIRED_MEMORY_MS = 10 * 60_000;
const EXPIRED_MEMORY_MAX = 10_000;

export class Directory {
  private readonly byAccount = new Map<string, Place>();
  private readonly byHash = new Map<string, Place>();
  /** Hashes of handles that expired unused, with when (insertion order is expiry order). */
  private readonly expired = new Map<string, number>();
  private readonly watchers: WorldWatcher[] = [];

  get population(): number {
    return this.byAccount.size;
  }

  get attached(): number {
    let n = 0;
    for (const p of this.byAccount.values()) if (p.attachedTo !== undefined) n++;
    return n;
  }

  of(accountId: string): Place | undefined {
    return this.byAccount.get(accountId);
  }

  /** The places whose character is in `zone`. */
  inZone(zone: string): Place[] {
    return [...this.byAccount.values()].filter((p) => p.zone === zone && p.characterId !== undefined);
  }

  watch(watcher: WorldWatcher): void {
    this.watchers.push(watcher);
  }

  /** The account plays `characterId`, in `zone` when known: the one way a character enters the world here. */
  placeCharacter(place: Place, characterId: string, zone: string | undefined, name?: string): void {
    const before = place.characterId;
    if (before !== undefined && before !== characterId) this.clearCharacter(place);
    place.characterId = characterId;
    if (zone !== undefined) place.zone = zone;
    if (before !== characterId) for (const w of this.watchers) w.entered(place, name);
  }

  /** A client node took the account's connection over by a resume (SESSION_MOVED). */
  resumed(accountId: string): void {
    const place = this.byAccount.get(accountId);
    if (place?.characterId !== undefined) for (const w of this.watchers) w.resumed(place);
  }

  /** The account plays no character now (it was deleted, or the place goes). */
  clearCharacter(place: Place): void {
    const characterId = place.characterId;
    delete place.characterId;
    delete place.zone;
    if (characterId !== undefined) for (const w of this.watchers) w.left(place.accountId, characterId);
  }

  /** Takes the account's place (a new login); returns the place it had, whose connection must be kicked. */
  put(place: Place): Place | undefined {
    const old = this.remove(place.accountId);
    this.byAccount.set(place.accountId, place);
    if (place.sessionHash !== undefined) this.byHash.set(place.sessionHash, place);
    return old;
  }

  /**
   * Frees the account's place; with `sessionHash`, only if that is still its session. A rebuilt
   * place's session is unknown: it is the account's one live session, so any end of it counts.
   */
  remove(accountId: string, sessionHash?: string): Place | undefined {
    const place = this.byAccount.get(accountId);
    if (!place || (sessionHash !== undefined && place.sessionHash !== undefined && place.sessionHash !== sessionHash)) return undefined;
    this.byAccount.delete(accountId);
    if (place.sessionHash !== undefined) this.byHash.delete(place.sessionHash);
    if (place.characterId !== undefined) for (const w of this.watchers) w.left(accountId, place.characterId);
    return place;
  }

  /**
   * A client node holds the account's connection (its report to a restarted realm node, or a
   * resume through it): the place is there, created if this realm node did not know it. Undefined
   * when the place is a login granted since and not attached yet: the node holds an older connection.
   */
  heldBy(accountId: string, node: string, at: number): Place | undefined {
    const place = this.byAccount.get(accountId);
    if (!place) {
      const rebuilt: Place = { accountId, clientNode: node, placedAt: at, expiresAt: at, attachedTo: node, attachedAt: at };
      this.byAccount.set(accountId, rebuilt);
      return rebuilt;
    }
    if (place.attachedTo === undefined) return undefined;
    if (place.attachedTo !== node) {
      place.attachedTo = node;
      place.attachedAt = at;
    }
    return place;
  }

  /** A client node attaches a player's handle: once, before it expires. */
  attach(handle: string, node: string, now: number): SessionCheck {
    const hash = sessionHashOf(handle);
    const place = this.byHash.get(hash);
    if (!place) return { ok: false, code: this.expired.has(hash) ? "expired" : "unknown" };
    if (place.attachedTo !== undefined) return { ok: false, code: "used" };
    if (now >= place.expiresAt) return { ok: false, code: "expired" };
    place.attachedTo = node;
    place.attachedAt = now;
    return { ok: true, place };
  }

  /** The account's place, if its session is attached from `node`: only that node acts for the player. */
  attachedFrom(accountId: string, node: string): Place | undefined {
    const place = this.byAccount.get(accountId);
    return place?.attachedTo === node ? place : undefined;
  }

  /**
   * Players sent to `node` that its reports cannot show yet: handles not attached (and not
   * expired), and attachments newer than the node's last report.
   */
  notYetReported(node: string, reportAt: number, now: number): number {
    let n = 0;
    for (const p of this.byAccount.values()) {
      const where = p.attachedTo ?? p.clientNode;
      if (where !== node) continue;
      if (p.attachedAt === undefined ? now < p.expiresAt : p.attachedAt >= reportAt) n++;
    }
    return n;
  }

  /** Frees the places of handles that expired without attaching. */
  sweep(now: number): Place[] {
    const gone: Place[] = [];
    for (const p of this.byAccount.values()) {
      if (p.attachedTo === undefined && now >= p.expiresAt) gone.push(p);
    }
    for (const p of gone) {
      this.remove(p.accountId);
      if (p.sessionHash !== undefined) this.expired.set(p.sessionHash, now);
    }
    for (const [hash, at] of this.expired) {
      if (this.expired.size <= EXPIRED_MEMORY_MAX && now - at < EXPIRED_MEMORY_MS) break;
      this.expired.delete(hash);
    }
    return gone;
  }

  *places(): IterableIterator<Place> {
    yield* this.byAccount.values();
  }
}
