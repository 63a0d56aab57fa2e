// Who is in the world, for the social layer: each character the directory places (a select, or a
// rebuilt directory after a restart) with its name and its parties, friends and guild as the
// database had them when it entered, kept current by the social desk from the answers of the
// changes. Where to reach a character is always read from the directory (the client node its
// session is attached from), so a resume through another client node needs nothing here.
import type { NodeRuntime } from "../../../common/node.ts";
import type { SocialView } from "../../../common/protocol/social.ts";
import type { Directory, Place, WorldWatcher } from "../directory.ts";

/** The part of the database client the roster needs (common/db-client.ts provides it). */
export interface SocialReads {
  loadSocial(characterId: string): Promise<SocialView>;
  loadCharacter(characterId: string): Promise<{ name: string }>;
}

export interface Online {
  characterId: string;
  accountId: string;
  name: string;
  social: SocialView;
  /** Settles once name and social state are loaded (or failed to); a request for this character waits for it. */
  ready: Promise<void>;
  /** Its entry was told (it loaded while still in the world): only then is its exit. */
  announced: boolean;
}

/** What the roster tells when a character's state is loaded (it entered) or it left. */
export interface PresenceListener {
  entered(o: Online, rebuilt: boolean): void;
  left(o: Online): void;
  /** Back on a connection after a drop: the pushes sent meanwhile may not have reached it. */
  resumed?(o: Online): void;
}

export const nameKey = (name: string): string => name.toLowerCase();

export class Roster implements WorldWatcher {
  private readonly byId = new Map<string, Online>();
  private readonly byName = new Map<string, Online>();
  private readonly listeners: PresenceListener[] = [];

  constructor(
    private readonly rt: NodeRuntime,
    private readonly directory: Directory,
    private readonly store: SocialReads,
    /** False while a starting realm node rebuilds its directory: entries then are not news to friends. */
    private readonly isLive: () => boolean,
  ) {
    directory.watch(this);
  }

  listen(listener: PresenceListener): void {
    this.listeners.push(listener);
  }

  get size(): number {
    return this.byId.size;
  }

  of(characterId: string): Online | undefined {
    return this.byId.get(characterId);
  }

  named(name: string): Online | undefined {
    return this.byName.get(nameKey(name));
  }

  /** The character the account plays now, if it is the account attached from `node`. */
  actorFor(accountId: string, node: string): Online | undefined {
    const characterId = this.directory.attachedFrom(accountId, node)?.characterId;
    const o = characterId === undefined ? undefined : this.byId.get(characterId);
    return o?.accountId === accountId ? o : undefined;
  }

  /** The client node that speaks for the character's player now. */
  clientNodeOf(o: Online): string | undefined {
    const place = this.directory.of(o.accountId);
    if (place?.characterId !== o.characterId) return undefined;
    return place.attachedTo ?? place.clientNode;
  }

  all(): IterableIterator<Online> {
    return this.byId.values();
  }

  entered(place: Place, name: string | undefined): void {
    const { accountId } = place;
    const characterId = place.characterId!;
    const rebuilt = !this.isLive();
    const o: Online = { characterId, accountId, name: name ?? "", social: { friends: [], guildInvites: [], partyInvites: [] }, ready: Promise.resolve(), announced: false };
    this.byId.set(characterId, o);
    if (name !== undefined) this.byName.set(nameKey(name), o);
    o.ready = this.load(o, name === undefined).then(
      () => {
        o.announced = this.byId.get(characterId) === o;
        if (o.announced) for (const l of this.listeners) l.entered(o, rebuilt);
      },
      (err: unknown) => this.rt.log.warn("social-load-failed", { characterId, error: (err as Error).message }),
    );
  }

  left(accountId: string, characterId: string): void {
    const o = this.byId.get(characterId);
    if (!o || o.accountId !== accountId) return;
    this.byId.delete(characterId);
    if (this.byName.get(nameKey(o.name)) === o) this.byName.delete(nameKey(o.name));
    // one that never loaded was never announced
    void o.ready.then(() => {
      if (o.announced) for (const l of this.listeners) l.left(o);
    });
  }

  resumed(place: Place): void {
    const o = this.byId.get(place.characterId!);
    if (!o || o.accountId !== place.accountId) return;
    void o.ready.then(() => {
      if (o.announced) for (const l of this.listeners) l.resumed?.(o);
    });
  }

  /** The character's whole social state again from the database (a change the answer did not cover). */
  async reload(o: Online): Promise<void> {
    o.social = await this.store.loadSocial(o.characterId);
  }

  /** The character's party, the leader first; just the character when in none. Online characters answer from memory. */
  async partyOf(characterId: string): Promise<string[]> {
    const o = this.byId.get(characterId);
    if (o) await o.ready;
    const party = o ? o.social.party : (await this.store.loadSocial(characterId)).party;
    if (!party) return [characterId];
    return [party.leader, ...party.members.map((m) => m.characterId).filter((id) => id !== party.leader)];
  }

  private async load(o: Online, needName: boolean): Promise<void> {
    const [social, character] = await Promise.all([this.store.loadSocial(o.characterId), needName ? this.store.loadCharacter(o.characterId) : undefined]);
    o.social = social;
    if (character) {
      o.name = character.name;
      if (this.byId.get(o.characterId) === o) this.byName.set(nameKey(o.name), o);
    }
  }
}
