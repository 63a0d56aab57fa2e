// A person at the game page (ops/web/play/, served by a login node at /play) in real Chromium:
// types the login, creates a character, enters the world; reads what the page shows through the
// state it exposes (window.realmGame.state(), the SDK's view of the world) and its elements.
import type { Page } from "playwright-core";
import { loginNodeUrl, type LoginNodeSpec } from "../../common/topology.ts";
import type { TestBrowser } from "./browser.ts";
import { until } from "./realm.ts";

export interface PageState {
  screen: "login" | "characters" | "world" | "closed";
  me: { x: number; y: number } | null;
  entities: { id: number; kind: number; x: number; y: number }[];
  chat: { channel: number; fromName: string; text: string }[];
  notices: { kind: number; text: string }[];
  closed: { code: number; reason: string } | null;
  rtt: number;
  fps: number;
  /** The dungeon's kind while the character is inside one. */
  dungeon: string | null;
  error: string | null;
}

export const playUrl = (node: LoginNodeSpec): string => loginNodeUrl(node, "/play").href;

export class BrowserPlayer {
  constructor(
    readonly page: Page & { errors: string[]; consoleErrors: string[] },
    readonly label: string,
  ) {}

  static async open(browser: TestBrowser, url: string, label: string): Promise<BrowserPlayer> {
    const page = await browser.page();
    await page.goto(url);
    return new BrowserPlayer(page, label);
  }

  state(): Promise<PageState> {
    return this.page.evaluate(() => (window as unknown as { realmGame: { state(): PageState } }).realmGame.state());
  }

  /** Runs `fn` in the page with the SDK client (window.realmGame.client). */
  client<T>(fn: string): Promise<T> {
    return this.page.evaluate(`(() => { const client = window.realmGame.client; return (${fn}); })()`) as Promise<T>;
  }

  waitState(what: string, ms: number, pred: (s: PageState) => boolean): Promise<PageState> {
    return until(`${this.label}: ${what}`, ms, async () => {
      const s = await this.state();
      return pred(s) ? s : undefined;
    });
  }

  async logIn(username: string, password: string): Promise<void> {
    await this.page.fill("#username", username);
    await this.page.fill("#password", password);
    await this.page.click("#login-button");
    await this.waitState("the character screen", 15_000, (s) => s.screen === "characters");
  }

  /** Creates a character by name and enters the world with it. */
  async enterAs(character: string): Promise<PageState> {
    await this.page.fill("#character-name", character);
    await this.page.click("#create-character");
    const row = this.page.locator(".character-row", { hasText: character }).locator("button").first();
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    return this.waitState("in the world", 15_000, (s) => s.screen === "world" && s.me !== null);
  }

  async say(text: string): Promise<void> {
    await this.page.fill("#chat-input", text);
    await this.page.click("#chat-send");
  }

  /** Animation frames the page rendered in `ms`: a frozen page renders none. */
  framesIn(ms: number): Promise<number> {
    return this.page.evaluate(
      (ms) =>
        new Promise<number>((resolve) => {
          let n = 0;
          const end = performance.now() + ms;
          const tick = () => {
            n++;
            if (performance.now() < end) requestAnimationFrame(tick);
            else resolve(n);
          };
          requestAnimationFrame(tick);
        }),
      ms,
    );
  }
}
