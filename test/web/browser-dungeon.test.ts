// A dungeon from the game page in Chromium: at an entrance the player names it and presses Enter,
// the page shows the dungeon's map and says where it is, walking works in the dungeon's units,
// and the E key takes it back out to the entrance. A wrong name is refused on the page.
import t from "tap";
import { DUNGEON_MAPS } from "../../common/dungeons.ts";
import { browserMissing, launchBrowser } from "../harness/browser.ts";
import { BrowserPlayer, playUrl } from "../harness/browser-player.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { smallWorld } from "../harness/test-config.ts";

const PASSWORD = "correct horse";

t.test("browser dungeon - enter at the gate from the page, walk inside, leave with E, back at the gate", { skip: browserMissing() }, async (t) => {
  const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "instance", "database"], edit: smallWorld });
  await createAccounts(postgresOf(t, realm), "delver", 1, PASSWORD);
  // smallWorld puts the crypt's gate at the first zone's centre, where a first character starts
  const gate = realm.config.realms[0]!.dungeons.find((d) => d.kind === "crypt")!;
  const browser = await launchBrowser(t);
  const p = await BrowserPlayer.open(browser, playUrl(realm.config.login.nodes[0]!), "delver");
  await p.logIn("delver0", PASSWORD);
  const start = await p.enterAs("Delve");
  t.ok(Math.hypot(start.me!.x - gate.at[0], start.me!.y - gate.at[1]) <= gate.radius, "the character starts at the crypt's gate");
  t.equal(await p.page.textContent("#dungeon-status"), "in the open world", "the panel says the open world");

  await p.page.fill("#dungeon-entrance", "no-such-gate");
  await p.page.click("#dungeon-button");
  await p.page.waitForFunction(() => document.getElementById("dungeon-status")?.textContent?.startsWith("refused"), undefined, { timeout: 15_000 });
  t.pass("a wrong entrance name is refused on the page");

  await p.page.fill("#dungeon-entrance", gate.name);
  await p.page.click("#dungeon-button");
  const inside = await p.waitState("in the crypt", 30_000, (s) => s.dungeon === "crypt" && s.me !== null);
  const crypt = DUNGEON_MAPS.crypt;
  t.ok(Math.hypot(inside.me!.x - crypt.entrance[0], inside.me!.y - crypt.entrance[1]) < 1, `at the crypt's landing point (${inside.me!.x.toFixed(1)}, ${inside.me!.y.toFixed(1)})`);
  t.equal(await p.page.textContent("#dungeon-status"), "in the crypt", "the panel says where it is");
  t.equal(await p.page.textContent("#dungeon-button"), "Leave", "the button leaves now");

  // walk east with the keys: the server's record of the character follows, in the crypt's units
  await p.page.focus("#world-canvas");
  await p.page.keyboard.down("d");
  await p.waitState("a few steps east", 15_000, (s) => s.me !== null && s.me.x > crypt.entrance[0] + 5);
  await p.page.keyboard.up("d");
  await p.page.waitForFunction(
    (x0) => {
      const me = (window as unknown as { realmGame: { client: { serverMe(): { x: number } | undefined } } }).realmGame.client.serverMe();
      return me !== undefined && me.x > x0;
    },
    crypt.entrance[0] + 4,
    { timeout: 10_000 },
  );
  t.pass("the server's record of the character follows the walk inside the crypt");

  await p.page.keyboard.press("e");
  const out = await p.waitState("back in the realm", 30_000, (s) => s.dungeon === null && s.me !== null && Math.hypot(s.me.x - gate.at[0], s.me.y - gate.at[1]) <= gate.radius);
  t.ok(out.me, `back at the gate (${out.me!.x.toFixed(1)}, ${out.me!.y.toFixed(1)})`);
  t.equal(await p.page.textContent("#dungeon-status"), "in the open world", "and the panel says so");
  const end = await p.state();
  t.equal(end.error, null, "no error on the page");
  t.same(p.page.errors, [], "no page errors");
});
