// The operator console in a real headless Chromium against a real realm: the token printed by
// `realm start` logs in (a wrong one does not), every node shows up, a zone killed with -9 shows
// down and back with its cause, a snapshot taken from the console is verified, a kicked player's
// socket closes. With REALM_CONSOLE_SCREENSHOTS=1 the README's screenshots are written anew.
import { mkdirSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { allNodes } from "../../common/topology.ts";
import { browserMissing, launchBrowser } from "../harness/browser.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { enterWorld } from "../harness/players.ts";
import { REPO, until } from "../harness/realm.ts";

const SHOTS = process.env.REALM_CONSOLE_SCREENSHOTS === "1" ? path.join(REPO, "ops", "console", "screenshots") : undefined;
const ALL_KINDS = ["reviver", "login", "realm", "client", "zone", "instance", "database", "backup"];

t.test("console - log in, watch a zone die and come back, take a backup, kick a player", { skip: browserMissing() }, async (t) => {
  const realm = await startFrontDoor(t, { kinds: ALL_KINDS });
  const announced = await until("realm start to print the console token", 30_000, () => /operator console: (\S+) token (\S+)/.exec(realm.output) ?? undefined);
  const [, url, token] = announced as unknown as [string, string, string];
  t.ok(realm.config.revivers.some((r) => url === `http://${r.console?.host}:${r.console?.port}/`), "realm start names the console: one of the revivers' console addresses");

  const browser = await launchBrowser(t, { viewport: { width: 1440, height: 900 } });
  const page = await browser.page();
  page.on("dialog", (d) => void d.accept());
  const shot = async (name: string, fullPage = false): Promise<void> => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
  };

  await page.goto(url);
  await page.fill("#token", "not-the-token-not-the-token-not-the-token");
  await page.click("#login-button");
  await page.waitForFunction(() => document.querySelector("#login-error")?.textContent?.includes("wrong operator token"), undefined, { timeout: 10_000 });
  t.ok(await page.isHidden("#tabs"), "a wrong token is refused: still at the login form");

  await page.fill("#token", token);
  await page.click("#login-button");
  const total = allNodes(realm.config).length;
  await page.waitForFunction((n) => document.querySelectorAll('#nodes tbody tr[data-state="up"]').length === n, total, { timeout: 20_000 });
  t.pass(`logged in: all ${total} nodes up`);

  const zone = realm.config.realms[0]!.zones[0]!.id;
  const before = await realm.node(zone);
  t.ok(before?.pid, `${zone} runs as pid ${before?.pid}`);
  process.kill(before!.pid!, "SIGKILL");
  const row = `#nodes tbody tr[data-node="${zone}"]`;
  // the reviver restarts a zone in about half a second, less than the page's poll: the changes table
  // has every step sampled (up -> down -> starting, or up -> starting when down lasted under 100 ms)
  const down = await page.waitForSelector(`#changes tr[data-node="${zone}"]:not([data-state="up"])`, { timeout: 10_000 });
  t.match(await down.textContent(), /(up|down) → (down|starting)signal SIGKILL/, `the console shows ${zone} down: ${await down.textContent()}`);
  await page.waitForSelector(`#changes tr[data-node="${zone}"][data-state="up"]`, { timeout: 30_000 });
  await page.waitForSelector(`${row}[data-state="up"]`, { timeout: 30_000 });
  const cause = await page.textContent(`${row} td.cause`);
  t.match(cause, /signal SIGKILL/, `and back up, with its cause: ${cause}`);
  t.not(await page.textContent(`${row} td.pid`), String(before!.pid), "under a new pid");
  t.match(await page.textContent(`#history tbody tr[data-node="${zone}"]`), /signal SIGKILL/, "the restart history lists it");
  await shot("nodes", true);

  await page.click('#tabs a[data-tab="backups"]');
  await page.click("#backup-take");
  await page.waitForSelector("#backup-result.ok", { timeout: 60_000 });
  const taken = await page.textContent("#backup-result");
  t.match(taken, /snapshot \d+ verified/, `a snapshot taken from the console: ${taken}`);
  const id = /snapshot (\d+)/.exec(taken ?? "")?.[1];
  await page.waitForSelector(`#backups tr[data-snapshot="${id}"][data-state="verified"]`, { timeout: 10_000 });
  t.pass("the list shows it verified");
  await page.click(`#backups tr[data-snapshot="${id}"] button`);
  await page.waitForFunction(() => /checksum matches/.test(document.querySelector("#backup-result")?.textContent ?? ""), undefined, { timeout: 60_000 });
  t.pass("and verifying it again from the console passes");
  await shot("backups");

  const [name] = await createAccounts(postgresOf(t, realm), "kickme", 1, "correct horse");
  const { bot } = await enterWorld(t, realm, name!, "correct horse", ["Kickee"]);
  await page.click('#tabs a[data-tab="live"]');
  await until("the player on the charts", 10_000, async () => ((await page.textContent("#legend-players"))?.includes("realm Fortrax 1") ? true : undefined));
  t.match(await page.textContent("#legend-tick"), new RegExp(`${zone} \\d`), "the tick chart has the zone back");
  await shot("live");
  await page.click('#tabs a[data-tab="players"]');
  await page.fill("#find", "kickme");
  await page.click('#find-form button[type="submit"]');
  await page.waitForSelector(`#players tr[data-account="${name}"] .pill.up`, { timeout: 10_000 });
  t.pass(`found ${name} online`);
  await page.click(`#players tr[data-account="${name}"] button.kick`);
  const closed = await bot.waitClosed(10_000);
  t.pass(`kicked from the console: the player's socket closed (${closed.code} ${closed.reason})`);
  await page.waitForFunction(() => /player kicked/.test(document.querySelector("#player-result")?.textContent ?? ""), undefined, { timeout: 10_000 });
  await shot("players");

  await page.click('#tabs a[data-tab="audit"]');
  await page.waitForSelector("#audit tbody tr", { timeout: 10_000 });
  const audit = await page.textContent("#audit tbody");
  t.match(audit, /player\.kick/, "the audit lists the kick");
  t.match(audit, /backup\.take/, "and the snapshot");
  await shot("audit");
  t.same(page.errors, [], "no error in the page");
});
