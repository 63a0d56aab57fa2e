// Prediction over a long path: with 150 ms added each way between the page and its client node
// (a TCP proxy), the own character moves on the first animation frame after a key press, and at
// rest stands within one quantum of where the server holds it. A speed hack from the page is
// corrected by the zone, and the page converges on the server's position without closing.
import t from "tap";
import { browserMissing, launchBrowser } from "../harness/browser.ts";
import { BrowserPlayer, playUrl } from "../harness/browser-player.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { LatencyProxy } from "../harness/latency-proxy.ts";
import { until } from "../harness/realm.ts";
import { smallWorld } from "../harness/test-config.ts";

const DELAY_MS = 150;

interface Snapshot {
  me: { x: number; y: number } | undefined;
  server: { x: number; y: number } | undefined;
  corrections: number;
  state: string;
}

const SNAPSHOT = "({ me: client.me(), server: client.serverMe(), corrections: client.stats.corrections, state: client.state })";

t.test("browser prediction - 150 ms each way: moves on the first frame, rests within a quantum, a speed hack converges", { skip: browserMissing() }, async (t) => {
  let target = { host: "127.0.0.1", port: 0 };
  const proxy = await LatencyProxy.start(t, () => target, DELAY_MS);
  const realm = await startFrontDoor(t, {
    kinds: ["login", "realm", "client", "zone", "database"],
    edit: (doc) => {
      smallWorld(doc);
      for (const z of doc.realms[0].zones) z.npcs = 0;
      // one client node, reached through the proxy: the login answer names the proxy
      doc.client_nodes = doc.client_nodes.slice(0, 1);
      const [host, port] = String(doc.client_nodes[0].ws).split(":");
      target = { host: host!, port: Number(port) };
      doc.client_nodes[0].public_url = `ws://127.0.0.1:${proxy.port}/`;
    },
  });
  await createAccounts(postgresOf(t, realm), "far", 1, "correct horse");
  const browser = await launchBrowser(t);
  const p = await BrowserPlayer.open(browser, playUrl(realm.config.login.nodes[0]!), "far0");
  await p.logIn("far0", "correct horse");
  await p.enterAs("Faraway");
  const world = realm.config.realms[0]!.world;
  const quantum = world.width / 65535;
  const rtt = await until("a measured round trip", 10_000, async () => {
    const ms = await p.client<number>("client.stats.rttMs");
    return ms > 0 ? ms : undefined;
  });
  t.ok(rtt >= 2 * DELAY_MS, `the page measures the added latency: rtt ${rtt.toFixed(0)} ms`);
  await until("the own character in the server's view", 10_000, () => p.client<Snapshot>(SNAPSHOT).then((s) => s.server));

  // the frame after the key press: recorded in the page, around its own render loop
  await p.page.evaluate(() => {
    const w = window as unknown as { realmGame: { client: { me(): { x: number } | undefined; serverMe(): { x: number } | undefined } }; pressProbe?: unknown };
    window.addEventListener(
      "keydown",
      () => {
        const before = w.realmGame.client.me()?.x;
        const server = w.realmGame.client.serverMe()?.x;
        requestAnimationFrame(() => (w.pressProbe = { before, after: w.realmGame.client.me()?.x, server, serverAfter: w.realmGame.client.serverMe()?.x }));
      },
      { capture: true, once: true },
    );
  });
  await p.page.keyboard.down("d");
  const probe = await until("the frame after the key press", 3000, () => p.page.evaluate(() => (window as unknown as { pressProbe?: { before: number; after: number; server: number; serverAfter: number } }).pressProbe));
  t.ok(probe.after > probe.before, `the own character moved on the first frame: x ${probe.before.toFixed(3)} -> ${probe.after.toFixed(3)}`);
  t.equal(probe.serverAfter, probe.server, "before the server could have heard of it (its view unchanged)");
  await new Promise((r) => setTimeout(r, 1500));
  await p.page.keyboard.up("d");

  const rest = async (what: string): Promise<Snapshot> =>
    until(what, 10_000, async () => {
      const s = await p.client<Snapshot>(SNAPSHOT);
      if (!s.me || !s.server) return undefined;
      return Math.abs(s.me.x - s.server.x) <= quantum + 1e-9 && Math.abs(s.me.y - s.server.y) <= quantum + 1e-9 ? s : undefined;
    });
  const walked = await rest("the own character at rest where the server holds it");
  t.ok(walked.me!.x - probe.before > 5, `walked ${(walked.me!.x - probe.before).toFixed(2)} units east, within one quantum (${quantum.toFixed(4)}) of the server`);
  t.equal(walked.corrections, 0, "an honest walk is never corrected");

  // a speed hack: the page walks at 20 units/s (the zone allows 7, plus slack)
  await p.client("client.walkSpeed = 20");
  const hackFrom = Date.now();
  await p.page.keyboard.down("s");
  await until("the zone to correct the hack", 10_000, () => p.client<Snapshot>(SNAPSHOT).then((s) => (s.corrections > 0 ? s : undefined)));
  await new Promise((r) => setTimeout(r, 1000));
  await p.page.keyboard.up("s");
  const hackS = (Date.now() - hackFrom) / 1000;
  await p.client("client.walkSpeed = 6.3");
  const converged = await rest("the page to converge on the server's position");
  t.ok(converged.corrections > 0, `corrected ${converged.corrections} times, and the page stands where the server holds it`);
  t.equal(converged.state, "world", "never closed: the hack cost only corrections");
  const truth = converged.server!;
  // 7 units/s with 15 % slack and one second banked (nodes/zone/movement.ts); the proxy's delay adds a little time
  const allowed = 7 * 1.15 * (hackS + (2 * DELAY_MS) / 1000) + 7;
  const went = Math.hypot(truth.x - walked.server!.x, truth.y - walked.server!.y);
  t.ok(went <= allowed, `the server let the character go ${went.toFixed(1)} units in ${hackS.toFixed(1)} s of hacking (at most ${allowed.toFixed(1)}), the page tried ${(20 * hackS).toFixed(0)}`);
  t.same(p.page.errors, [], "no script errors");
});
