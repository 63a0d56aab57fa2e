// A real headless Chromium for one test: Debian's chromium (no browser can be downloaded here)
// driven by playwright-core, with a fresh profile folder. Teardown closes it and removes the folder,
// and a screenshot of every page still open is kept when the test failed.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags that keep Chromium off the network it cannot reach here, and running as root. */
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

interface Teardown {
  teardown(fn: () => Promise<void> | void): void;
  passing(): boolean;
  name: string;
}

export interface TestBrowser {
  context: BrowserContext;
  /** A new page (tab): uncaught script errors are collected in `errors`, console errors in `consoleErrors`. */
  page(): Promise<Page & { errors: string[]; consoleErrors: string[] }>;
}

/** Why browser tests cannot run on this machine, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does it)`;
}

/** `acceptSelfSigned`: trust any certificate, for a realm serving https/wss with a test pair made at run time. */
export async function launchBrowser(t: Teardown, opts: { viewport?: { width: number; height: number }; acceptSelfSigned?: boolean } = {}): Promise<TestBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "realm-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    ignoreHTTPSErrors: opts.acceptSelfSigned ?? false,
  });
  t.teardown(async () => {
    if (!t.passing()) {
      for (const [n, p] of context.pages().entries()) {
        const file = path.join(os.tmpdir(), `failed-${t.name.replace(/[^\w-]+/g, "_").slice(0, 60)}-${n}.png`);
        await p.screenshot({ path: file }).then(
          () => console.error(`# screenshot of a failed test's page: ${file}`),
          () => undefined,
        );
      }
    }
    await context.close().catch(() => undefined);
    rmSync(profile, { recursive: true, force: true });
  });
  return {
    context,
    async page() {
      const page = (await context.newPage()) as Page & { errors: string[]; consoleErrors: string[] };
      page.errors = [];
      page.consoleErrors = [];
      page.on("pageerror", (err) => page.errors.push(err.stack ?? err.message));
      page.on("console", (msg) => {
        if (msg.type() === "error") page.consoleErrors.push(msg.text());
      });
      return page;
    },
  };
}
