// The game page over TLS: a login node serving https gives the page, the SDK logs in on the page's
// own origin and opens the wss:// client node the answer names, and the player stands in the world,
// with a self-signed pair made at run time that this Chromium is told to accept.
import t from "tap";
import { browserMissing, launchBrowser } from "../harness/browser.ts";
import { BrowserPlayer, playUrl } from "../harness/browser-player.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { tempDir } from "../harness/realm.ts";
import { smallWorld } from "../harness/test-config.ts";
import { opensslMissing, selfSigned } from "../harness/tls-pair.ts";

t.test("browser tls - the game page over https logs in and plays over wss", { skip: browserMissing() ?? opensslMissing }, async (t) => {
  const pair = selfSigned(tempDir(t, "realm-tls-"));
  const realm = await startFrontDoor(t, {
    kinds: ["login", "realm", "client", "zone", "database"],
    edit: (doc) => {
      smallWorld(doc);
      for (const n of [...doc.login.nodes, ...doc.client_nodes]) n.tls = pair;
    },
  });
  await createAccounts(postgresOf(t, realm), "sealed", 1, "correct horse");
  const browser = await launchBrowser(t, { acceptSelfSigned: true });
  const url = playUrl(realm.config.login.nodes[0]!);
  t.match(url, /^https:\/\//, `the page is at ${url}`);
  const p = await BrowserPlayer.open(browser, url, "sealed0");
  await p.logIn("sealed0", "correct horse");
  const s = await p.enterAs("Vault");
  t.ok(s.me, `in the world at (${s.me?.x.toFixed(1)}, ${s.me?.y.toFixed(1)})`);
  t.match(await p.client<string>("client.url"), /^wss:\/\/127\.0\.0\.1:\d+\/$/, "the SDK's socket is the wss:// URL the login answer named");
  t.ok((await p.framesIn(500)) > 0, "the page keeps rendering");
  t.same(p.page.errors, [], "no script errors");
  t.same(p.page.consoleErrors, [], "no console errors (a mixed-content or certificate refusal would show here)");
});
