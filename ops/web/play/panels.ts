/// <reference lib="dom" />
// The page's panels around the canvas: character list, chat and event log, purse, notices, the
// stats corner and the connection pill. Plain DOM; text always goes in as text, never as HTML.

export function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

function make<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

interface CharacterRow {
  id: string;
  name: string;
  level: number;
  x: number;
  y: number;
}

export function renderCharacters(list: readonly CharacterRow[], onPlay: (id: string) => void, onDelete: (c: CharacterRow) => void): void {
  const ul = el<HTMLUListElement>("character-list");
  ul.replaceChildren();
  for (const c of list) {
    const li = make("li", "character-row");
    li.dataset.id = c.id;
    li.append(make("span", "name", c.name), make("span", "meta", `level ${c.level} · at ${Math.round(c.x)}, ${Math.round(c.y)}`));
    const play = make("button", "primary small select", "Play");
    play.addEventListener("click", () => onPlay(c.id));
    const del = make("button", "danger small delete", "Delete");
    del.title = `delete ${c.name}`;
    del.addEventListener("click", () => onDelete(c));
    li.append(play, del);
    ul.append(li);
  }
  el("no-characters").hidden = list.length > 0;
}

const CHAT_SHOWN = 200;
/** ChatChannel numbers (common/player-opcodes.ts) as the log shows them. */
const CHANNEL_NAMES: Record<number, string> = { 1: "say", 2: "zone", 3: "whisper", 4: "party", 5: "guild", 6: "global" };

interface Member {
  characterId: string;
  name: string;
  online: boolean;
}

interface SocialShown {
  party: { leader: string; members: Member[] } | undefined;
  guild: { name: string; members: (Member & { rank: number })[] } | undefined;
  friends: (Member & { state: number })[];
  invites: { party: { partyId: string; leaderName: string }[]; guild: { guildId: string; name: string }[] };
}

const RANK_NAMES: Record<number, string> = { 1: "leader", 2: "officer", 3: "member" };
const FRIEND_STATES: Record<number, string> = { 1: "", 2: " (asked)", 3: " (asks you)" };

function members(id: string, rows: { name: string; online: boolean; note: string }[], empty: string): void {
  const ul = el<HTMLUListElement>(id);
  ul.replaceChildren(...rows.map((r) => make("li", r.online ? "online" : "offline", `${r.online ? "●" : "○"} ${r.name}${r.note}`)));
  if (rows.length === 0) ul.append(make("li", "empty", empty));
}

/** The party, guild and friends lists, and the invitations with their answers. */
export function renderSocial(s: SocialShown, answer: (kind: "party" | "guild", id: string, accept: boolean) => void): void {
  const party = s.party;
  members("party", party?.members.map((m) => ({ ...m, note: m.characterId === party.leader ? " ★" : "" })) ?? [], "no party: /invite Name");
  el("guild-name").textContent = s.guild?.name ?? "";
  members("guild", s.guild?.members.map((m) => ({ ...m, note: ` · ${RANK_NAMES[m.rank] ?? ""}` })) ?? [], "no guild: /gcreate Name");
  members("friends", s.friends.map((f) => ({ ...f, note: FRIEND_STATES[f.state] ?? "" })), "no friends yet: /friend Name");
  const invites = [
    ...s.invites.party.map((i) => ({ kind: "party" as const, id: i.partyId, text: `${i.leaderName}'s party` })),
    ...s.invites.guild.map((i) => ({ kind: "guild" as const, id: i.guildId, text: `guild ${i.name}` })),
  ];
  el("invites").replaceChildren(
    ...invites.map((i) => {
      const li = make("li", "invite", `Invited to ${i.text} `);
      const yes = make("button", "primary small", "Join");
      yes.addEventListener("click", () => answer(i.kind, i.id, true));
      const no = make("button", "ghost small", "No");
      no.addEventListener("click", () => answer(i.kind, i.id, false));
      li.append(yes, no);
      return li;
    }),
  );
}

/** The chat box's log: chat lines and the SDK's event lines (combat, loot, refusals). */
export class ChatLog {
  private readonly list = el<HTMLOListElement>("chat-log");

  private add(li: HTMLLIElement): void {
    // keep the view at the bottom only if the reader was there
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.append(li);
    while (this.list.children.length > CHAT_SHOWN) this.list.firstElementChild?.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  chat(channel: number, fromName: string, text: string): void {
    const name = CHANNEL_NAMES[channel] ?? "say";
    const li = make("li", name);
    li.append(make("span", "chan", name), make("span", "from", fromName || "someone"), document.createTextNode(`: ${text}`));
    this.add(li);
  }

  event(text: string, bad = false): void {
    // the same line again (a cooldown refused, the same hit) counts up instead of filling the log
    const last = this.list.lastElementChild as HTMLElement | null;
    if (last?.dataset.event === text) {
      const n = Number(last.dataset.times ?? "1") + 1;
      last.dataset.times = String(n);
      last.textContent = `${text} ×${n}`;
      return;
    }
    const li = make("li", bad ? "event bad" : "event", text);
    li.dataset.event = text;
    this.add(li);
  }

  clear(): void {
    this.list.replaceChildren();
  }
}

export function renderWallet(gold: number, items: readonly { id: string; kind: string }[]): void {
  el("gold").textContent = `${gold.toLocaleString("en")} gold`;
  el("item-count").textContent = items.length > 0 ? `(${items.length})` : "";
  const ul = el<HTMLUListElement>("items");
  ul.replaceChildren();
  if (items.length === 0) ul.append(make("li", "empty", "nothing yet: loot a creature's drop"));
  // the same kinds folded together, newest kinds first
  const counts = new Map<string, number>();
  for (const it of items) counts.set(it.kind, (counts.get(it.kind) ?? 0) + 1);
  for (const [kind, n] of [...counts].reverse()) ul.append(make("li", undefined, n > 1 ? `${kind} × ${n}` : kind));
}

const NOTICE_TAGS: Record<number, string> = { 1: "info", 2: "restart", 3: "storage", 4: "storage" };
/** How long a notice stays, by kind; a storage pause stays until the resume replaces it. */
const NOTICE_MS: Record<number, number> = { 1: 8000, 2: 0, 3: Infinity, 4: 6000 };

interface Shown {
  li: HTMLElement;
  kind: number;
  text: string;
  until: number;
  /** A countdown's end (restart warnings), client clock. */
  endsAt: number;
}

/** The banners at the top of the world: restart warnings count down, a storage pause stays until resumed. */
export class Notices {
  private readonly box = el("notices");
  private shown: Shown[] = [];

  add(kind: number, seconds: number, text: string, now: number): void {
    // a resume ends the pause; a new restart warning replaces the older one
    if (kind === 4 || kind === 3) this.drop((s) => s.kind === 3 || s.kind === 4);
    if (kind === 2) this.drop((s) => s.kind === 2);
    const li = make("div", `notice kind-${kind}`);
    const endsAt = seconds > 0 ? now + seconds * 1000 : 0;
    const life = NOTICE_MS[kind] ?? 8000;
    const until = kind === 2 ? (endsAt > 0 ? endsAt + 5000 : now + 30_000) : now + life;
    this.shown.push({ li, kind, text, until, endsAt });
    this.box.append(li);
    this.paint(now);
  }

  private drop(which: (s: Shown) => boolean): void {
    for (const s of this.shown.filter(which)) s.li.remove();
    this.shown = this.shown.filter((s) => !which(s));
  }

  /** Called every frame: countdowns tick, old banners go. */
  paint(now: number): void {
    this.drop((s) => now > s.until);
    for (const s of this.shown) {
      const left = s.endsAt > 0 ? Math.max(0, Math.ceil((s.endsAt - now) / 1000)) : undefined;
      const words = left !== undefined ? `${s.text} (${left >= 60 ? `${Math.floor(left / 60)}m ${String(left % 60).padStart(2, "0")}s` : `${left}s`})` : s.text;
      if (s.li.dataset.words === words) continue;
      s.li.dataset.words = words;
      s.li.replaceChildren(make("span", "tag", NOTICE_TAGS[s.kind] ?? "notice"), document.createTextNode(words));
    }
  }

  clear(): void {
    this.drop(() => true);
  }
}

export function renderStats(rows: readonly [string, string][]): void {
  const box = el("stats");
  // rebuilt only when a figure changes: this runs every frame
  const key = rows.map((r) => r.join("=")).join("|");
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(
    ...rows.map(([k, v]) => {
      const d = make("div", undefined, k);
      d.append(make("b", undefined, v));
      return d;
    }),
  );
}

export type PillTone = "idle" | "connecting" | "world" | "reconnecting" | "closed";

export function renderPill(tone: PillTone, text: string): void {
  const pill = el("status-pill");
  pill.className = `pill pill-${tone}`;
  pill.textContent = text;
  pill.title = text;
}
