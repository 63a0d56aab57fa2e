/// <reference lib="dom" />
// The browser game at /play: log in, pick a character, walk the world. Screens follow the SDK's
// state; protocol, prediction and interpolation are the SDK's (ops/web/sdk/), this file only
// shows them and turns clicks and keys into its calls. Nothing thrown here stops the render loop:
// errors go to the bar under the top bar and to state().error.
import { RealmClient, type CharacterEntry, type ClientState, type RealmEntry } from "../sdk/realm-client.ts";
import { DungeonState } from "../../../common/player-opcodes.ts";
import { Kind, WorldCanvas, type WorldShape } from "./canvas-view.ts";
import { WalkKeys } from "./input.ts";
import { ChatLog, el, Notices, renderCharacters, renderPill, renderSocial, renderStats, renderWallet, type PillTone } from "./panels.ts";

type Screen = "login" | "characters" | "world" | "closed";

const SCREENS: Record<Screen, string> = { login: "screen-login", characters: "screen-characters", world: "screen-world", closed: "screen-closed" };
const KEPT = 200;
const REALMS_EVERY_MS = 10_000;

interface Snapshot {
  screen: Screen;
  clientState: ClientState;
  me: { x: number; y: number } | null;
  selfId: number;
  entities: { id: number; kind: number; x: number; y: number; hp: number; name: string | null }[];
  chat: { channel: number; fromName: string; text: string }[];
  notices: { kind: number; seconds: number; text: string }[];
  events: string[];
  closed: { code: number; reason: string } | null;
  gold: number;
  items: number;
  rtt: number;
  fps: number;
  interpDelayMs: number;
  /** The dungeon's kind while inside one. */
  dungeon: string | null;
  error: string | null;
}

class Game {
  client!: RealmClient;
  screen: Screen = "login";
  private readonly canvas = new WorldCanvas(el<HTMLCanvasElement>("world-canvas"));
  private readonly chatLog = new ChatLog();
  private readonly notices = new Notices();
  private readonly chat: Snapshot["chat"] = [];
  private readonly noticeList: Snapshot["notices"] = [];
  private readonly events: string[] = [];
  private closed: Snapshot["closed"] = null;
  private error: string | null = null;
  private queue: { position: number; etaSeconds: number } | undefined;
  private leaving = false;
  private target: { x: number; y: number; at: number } | undefined;
  private hoverId: number | undefined;
  private targetId: number | undefined;
  private frameTimes: number[] = [];
  private fps = 0;
  private realmsTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly keys: WalkKeys;

  constructor() {
    this.keys = new WalkKeys(
      (dx, dy) => this.guard(() => this.client.setWalkDirection(dx, dy)),
      () => this.screen === "world",
      { Enter: () => el("chat-input").focus(), KeyE: () => this.guard(() => this.dungeonAction()) },
    );
    this.newClient();
    this.bindForms();
    this.bindCanvas();
    window.addEventListener("error", (e) => this.fail(e.error ?? e.message));
    window.addEventListener("unhandledrejection", (e) => this.fail(e.reason));
    void this.loadRealms();
    requestAnimationFrame((t) => this.frame(t));
  }

  /** A fresh session: after a close the old client is spent, so "back to login" starts a new one. */
  private newClient(): void {
    this.client?.close();
    const c = new RealmClient({ loginUrl: location.origin });
    this.client = c;
    c.on("state", (s) => c === this.client && this.onState(s));
    c.on("queue", (q) => {
      this.queue = q;
      const info = el("queue-info");
      info.hidden = false;
      info.textContent = `The realm is full. You are number ${q.position} in the queue${q.etaSeconds > 0 ? `, about ${formatEta(q.etaSeconds)}` : ""}.`;
      this.pill();
    });
    c.on("characters", (list) => this.onCharacters(list));
    c.on("refused", (r) => this.message("character-message", r.text || `refused (code ${r.code})`, true));
    c.on("chat", (m) => {
      this.chat.push({ channel: m.channel, fromName: m.fromName, text: m.text });
      if (this.chat.length > KEPT) this.chat.shift();
      this.chatLog.chat(m.channel, m.fromName, m.text);
    });
    c.on("notice", (n) => {
      this.noticeList.push({ kind: n.kind, seconds: n.seconds, text: n.text });
      if (this.noticeList.length > KEPT) this.noticeList.shift();
      this.notices.add(n.kind, n.seconds, n.text, Date.now());
      this.chatLog.event(n.text);
    });
    c.on("wallet", (w) => renderWallet(w.gold, w.items));
    c.on("social", (s) => renderSocial(s, (kind, id, accept) => this.guard(() => c.answerInvite(kind, id, accept))));
    c.on("event", (text) => {
      this.events.push(text);
      if (this.events.length > KEPT) this.events.shift();
      this.chatLog.event(text, /^(refused|connection lost|a frame|the server's)/.test(text));
    });
    c.on("closed", (closed) => c === this.client && this.onClosed(closed.code, closed.reason));
    c.on("world", () => this.renderDungeon());
    c.on("dungeon", () => this.renderDungeon());
  }

  /** The dungeon panel: where the character is, a request's queue place, and what the button does. */
  private renderDungeon(): void {
    const { place, dungeonNews: news } = this.client;
    const status = el("dungeon-status");
    if (place.dungeon) status.textContent = `in the ${place.dungeon}`;
    else if (news?.state === DungeonState.QUEUED) status.textContent = `queued for ${news.entrance}: number ${news.position}`;
    else if (news?.state === DungeonState.ENTERING || news?.state === DungeonState.ADMITTED) status.textContent = `entering ${news.entrance}…`;
    else status.textContent = news?.state === DungeonState.REFUSED ? `refused: ${news.text}` : "in the open world";
    el("dungeon-button").textContent = place.dungeon ? "Leave" : "Enter";
    el("dungeon-entrance").hidden = place.dungeon !== "";
  }

  /** The E key and the panel's button: into the dungeon at the named entrance, or out of the one the character is in. */
  private dungeonAction(): void {
    if (this.client.place.dungeon) return this.client.leaveDungeon();
    const entrance = el<HTMLInputElement>("dungeon-entrance").value.trim();
    if (entrance) this.client.enterDungeon(entrance);
    else el("dungeon-entrance").focus();
  }

  private onState(s: ClientState): void {
    if (s === "lobby" || s === "entering") this.show("characters");
    else if (s === "world" || s === "reconnecting") this.show("world");
    if (s === "entering") this.message("character-message", "Entering the world…");
    if (s === "world") {
      this.message("character-message", "");
      const w = this.client.welcome;
      el("realm-name").textContent = w ? `${w.realm}` : "";
    }
    if (s !== "queued") el("queue-info").hidden = true;
    this.pill();
  }

  private onClosed(code: number, reason: string): void {
    this.keys.release();
    if (this.leaving) {
      // the player's own leave: back to the login form, ready to come again
      this.leaving = false;
      this.backToLogin("You left the world. Log in to play again.");
      return;
    }
    this.closed = { code, reason };
    el("close-reason").textContent = `${reason} (code ${code})`;
    this.show("closed");
    this.pill();
  }

  private onCharacters(list: CharacterEntry[]): void {
    renderCharacters(
      list,
      (id) => this.guard(() => this.client.selectCharacter(id)),
      (c) => this.askDelete(c.id, c.name),
    );
    // the list answers a create or a delete: its "Creating…" or "is gone." has been said
    if (/^Creating /.test(el("character-message").textContent ?? "")) this.message("character-message", "");
    const input = el<HTMLInputElement>("character-name");
    if (list.length === 0 && this.screen === "characters") input.focus();
  }

  /** Delete asks twice, in the row itself (a browser dialog would stop an automated page). */
  private askDelete(id: string, name: string): void {
    const row = document.querySelector<HTMLElement>(`.character-row[data-id="${CSS.escape(id)}"]`);
    const button = row?.querySelector<HTMLButtonElement>("button.delete");
    if (!button) return;
    if (button.dataset.armed === "1") {
      this.client.deleteCharacter(id);
      this.message("character-message", `${name} is gone.`);
      return;
    }
    button.dataset.armed = "1";
    button.textContent = "Sure?";
    setTimeout(() => {
      button.dataset.armed = "";
      button.textContent = "Delete";
    }, 3000);
  }

  private show(screen: Screen): void {
    if (this.screen === screen) return;
    this.screen = screen;
    for (const [s, id] of Object.entries(SCREENS)) el(id).hidden = s !== screen;
    el("leave-button").hidden = screen !== "world";
    if (screen === "world") el("world-canvas").focus();
    if (screen === "login") this.scheduleRealms(0);
  }

  private pill(): void {
    const s = this.client.state;
    const tones: Record<ClientState, [PillTone, string]> = {
      idle: ["idle", "not connected"],
      "logging-in": ["connecting", "logging in…"],
      queued: ["connecting", this.queue ? `queued: #${this.queue.position}` : "queued"],
      connecting: ["connecting", "connecting…"],
      lobby: ["connecting", "connected: choose a character"],
      entering: ["connecting", "entering the world…"],
      world: ["world", "in world"],
      reconnecting: ["reconnecting", "reconnecting…"],
      closed: ["closed", `closed: ${this.client.closed?.reason ?? "?"}`],
    };
    const [tone, text] = tones[s] ?? ["idle", s];
    renderPill(tone, text);
  }

  private message(id: string, text: string, bad = false): void {
    const p = el(id);
    p.textContent = text;
    p.className = `message${bad ? " bad" : text ? " good" : ""}`;
  }

  private fail(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    this.error = text;
    const bar = el("error-bar");
    bar.hidden = false;
    bar.textContent = `Something went wrong: ${text}`;
    console.error(err);
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(err);
    }
  }

  private backToLogin(text = ""): void {
    this.closed = null;
    this.target = undefined;
    this.newClient();
    this.notices.clear();
    this.chatLog.clear();
    renderWallet(0, []);
    this.renderDungeon();
    el("realm-name").textContent = "";
    this.show("login");
    this.message("login-message", text);
    this.setBusy(false);
    this.pill();
  }

  // ---- login screen

  private fields(): { username: string; password: string; realm: string } | undefined {
    const username = el<HTMLInputElement>("username").value.trim();
    const password = el<HTMLInputElement>("password").value;
    const realm = el<HTMLSelectElement>("realm").value;
    if (!username || !password) {
      this.message("login-message", "Enter a username and a password.", true);
      return undefined;
    }
    return { username, password, realm };
  }

  private setBusy(busy: boolean): void {
    for (const id of ["login-button", "register-button"]) el<HTMLButtonElement>(id).disabled = busy;
  }

  private async logIn(): Promise<void> {
    const f = this.fields();
    if (!f) return;
    if (!f.realm) return this.message("login-message", "No realm to log in to: is the realm up?", true);
    this.setBusy(true);
    this.message("login-message", "Logging in…");
    try {
      await this.client.login(f.username, f.password, f.realm);
      this.message("login-message", "");
    } catch (err) {
      // a refused or failed login leaves this client half-way: start the next try afresh
      this.newClient();
      this.message("login-message", (err as Error).message, true);
      this.pill();
    } finally {
      this.setBusy(false);
    }
  }

  private async registerAccount(): Promise<void> {
    const f = this.fields();
    if (!f) return;
    this.setBusy(true);
    this.message("login-message", "Creating the account…");
    try {
      await this.client.register(f.username, f.password);
      this.message("login-message", `Account ${f.username} created. Log in to play.`);
    } catch (err) {
      this.message("login-message", (err as Error).message, true);
    } finally {
      this.setBusy(false);
    }
  }

  private scheduleRealms(ms: number): void {
    clearTimeout(this.realmsTimer);
    this.realmsTimer = setTimeout(() => void this.loadRealms(), ms);
  }

  private async loadRealms(): Promise<void> {
    const select = el<HTMLSelectElement>("realm");
    try {
      const list: RealmEntry[] = await this.client.realms();
      const keep = select.value;
      select.replaceChildren(
        ...list.map((r) => {
          const o = document.createElement("option");
          o.value = r.name;
          const pop = r.population === null ? "" : ` · ${r.population}/${r.cap}`;
          o.textContent = `${r.name}: ${r.status}${pop}${r.queue > 0 ? ` · ${r.queue} queued` : ""}`;
          return o;
        }),
      );
      if (list.some((r) => r.name === keep)) select.value = keep;
      if (list.length === 0) select.replaceChildren(new Option("no realms", ""));
    } catch (err) {
      if (select.options.length === 0 || select.value === "") select.replaceChildren(new Option("realms unavailable", ""));
      this.message("login-message", (err as Error).message, true);
    }
    if (this.screen === "login") this.scheduleRealms(REALMS_EVERY_MS);
  }

  // ---- wiring

  private bindForms(): void {
    el<HTMLFormElement>("login-form").addEventListener("submit", (e) => {
      e.preventDefault();
      void this.logIn();
    });
    el("register-button").addEventListener("click", () => void this.registerAccount());
    el<HTMLFormElement>("create-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const input = el<HTMLInputElement>("character-name");
      const name = input.value.trim();
      if (!name) return this.message("character-message", "Name your character first.", true);
      this.message("character-message", `Creating ${name}…`);
      this.guard(() => this.client.createCharacter(name));
      input.value = "";
    });
    el<HTMLFormElement>("chat-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const input = el<HTMLInputElement>("chat-input");
      const text = input.value.trim();
      if (text) {
        const channel = Number(el<HTMLSelectElement>("chat-channel").value);
        this.guard(() => this.client.type(text, channel));
      }
      input.value = "";
      // back to walking: Enter opens the chat again
      input.blur();
      el("world-canvas").focus();
    });
    el("chat-input").addEventListener("keydown", (e) => {
      if (e.key === "Escape") (e.target as HTMLInputElement).blur();
    });
    el("chat-input").addEventListener("focus", () => this.keys.release());
    el("back-to-login").addEventListener("click", () => this.backToLogin());
    el("dungeon-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.guard(() => this.dungeonAction());
      el("world-canvas").focus();
    });
    el("leave-button").addEventListener("click", () => {
      this.leaving = true;
      this.guard(() => this.client.leave());
    });
    window.addEventListener("beforeunload", () => this.client.close());
  }

  private bindCanvas(): void {
    const canvas = el<HTMLCanvasElement>("world-canvas");
    canvas.addEventListener("mousedown", (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      canvas.focus();
      this.guard(() => {
        const hit = this.canvas.pick(e.clientX, e.clientY, this.client.selfId);
        this.targetId = hit?.id;
        if (hit?.kind === Kind.LOOT) this.client.loot(hit.id);
        else if (hit) this.client.attack(hit.id);
        else {
          const p = this.canvas.toWorld(e.clientX, e.clientY);
          this.target = { ...p, at: Date.now() };
          this.client.walkTo(p.x, p.y);
        }
      });
    });
    canvas.addEventListener("mousemove", (e) => {
      const hit = this.canvas.pick(e.clientX, e.clientY, this.client.selfId);
      this.hoverId = hit?.id;
      canvas.classList.toggle("over-target", hit !== undefined);
    });
  }

  private frame(t: number): void {
    try {
      this.tick(t);
    } catch (err) {
      this.fail(err);
    }
    requestAnimationFrame((next) => this.frame(next));
  }

  private tick(t: number): void {
    this.frameTimes.push(t);
    while (this.frameTimes.length > 0 && t - this.frameTimes[0]! > 1000) this.frameTimes.shift();
    this.fps = this.frameTimes.length;
    // the SDK's clock is the wall clock (its interpolation stamps arrivals with Date.now())
    const now = Date.now();
    this.client.update(now);
    if (this.screen !== "world") return;
    const w = this.client.welcome;
    if (!w) return;
    const entities = this.client.entitiesAt(now);
    // inside a dungeon the canvas draws the dungeon's map, which has no zones
    const place = this.client.place;
    const world: WorldShape = place.dungeon ? { worldWidth: place.width, worldHeight: place.height, cell: place.cell, vision: w.vision } : { ...w, regions: (w as { regions?: number[][] }).regions };
    this.canvas.draw({ now, world, me: this.client.me(), selfId: this.client.selfId, entities, target: this.target, hoverId: this.hoverId, targetId: this.targetId });
    this.notices.paint(now);
    const st = this.client.stats;
    const me = this.client.me();
    renderStats([
      ["RTT", `${Math.round(st.rttMs)} ms`],
      ["frames/s", `${this.fps}`],
      ["updates/s", `${st.fps}`],
      ["in view", `${entities.length}`],
      ["interp delay", `${st.interpDelayMs} ms`],
      ["corrections", `${st.corrections}`],
      ["position", me ? `${me.x.toFixed(1)}, ${me.y.toFixed(1)}` : "–"],
      ["world", place.dungeon || "realm"],
    ]);
  }

  /** Where an entity is on the screen now (client pixels), for a test that clicks it. */
  screenOf(id: number): { x: number; y: number } | null {
    const e = this.client.entitiesAt(Date.now()).find((v) => v.id === id);
    return e && this.screen === "world" ? this.canvas.toClient(e.x, e.y) : null;
  }

  state(): Snapshot {
    const c = this.client;
    const me = c.me();
    return {
      screen: this.screen,
      clientState: c.state,
      me: me ? { x: me.x, y: me.y } : null,
      selfId: c.selfId,
      entities: (this.screen === "world" ? c.entitiesAt(Date.now()) : []).map((e) => ({ id: e.id, kind: e.kind, x: e.x, y: e.y, hp: e.hp, name: e.name ?? null })),
      chat: this.chat.map((m) => ({ ...m })),
      notices: this.noticeList.map((n) => ({ ...n })),
      events: [...this.events],
      closed: this.closed ? { ...this.closed } : null,
      gold: c.gold,
      items: c.items.length,
      rtt: c.stats.rttMs,
      fps: this.fps,
      interpDelayMs: c.stats.interpDelayMs,
      dungeon: c.place.dungeon || null,
      error: this.error,
    };
  }
}

function formatEta(s: number): string {
  return s < 90 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
}

declare global {
  interface Window {
    realmGame: { readonly client: RealmClient; state(): Snapshot; screenOf(id: number): { x: number; y: number } | null };
  }
}

const game = new Game();
window.realmGame = {
  get client() {
    return game.client;
  },
  state: () => game.state(),
  screenOf: (id: number) => game.screenOf(id),
};
