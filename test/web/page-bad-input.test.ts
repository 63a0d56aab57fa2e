// The game page against servers that misbehave: a wrong password, a client node that is not
// there, one that closes the session at once, one that sends an opcode no version has. Each time
// the page says why in words and keeps rendering; nothing throws out of the page's scripts.
import t from "tap";
import { WebSocketServer } from "ws";
import { encodeServer } from "../../common/player-codec.ts";
import { CloseCode, PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import { browserMissing, launchBrowser } from "../harness/browser.ts";
import { BrowserPlayer, playUrl } from "../harness/browser-player.ts";
import { createAccounts, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { freePorts } from "../harness/free-ports.ts";

type Misbehaviour = "close" | "unknown-opcode";

/** A WebSocket server that answers a hello the way `how` says. */
async function badClientNode(t: { teardown(fn: () => void | Promise<void>): void }, how: Misbehaviour): Promise<string> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
  t.teardown(() => new Promise<void>((resolve) => wss.close(() => resolve())));
  wss.on("connection", (ws) =>
    ws.once("message", () => {
      if (how === "close") return ws.close(CloseCode.KICKED, "kicked: banned by the test");
      const welcome = encodeServer({ op: PlayerOp.SMSG_WELCOME, version: PLAYER_PROTOCOL_VERSION, serverTime: Date.now(), accountId: "a", realm: "Fortrax", tickHz: 20, worldWidth: 400, worldHeight: 400, cell: 50, vision: 100, budget: 1000, zones: ["Z"], regions: [[0, 0, 400, 400]] });
      ws.send(welcome);
      ws.send(Buffer.from([0xee, 1, 2, 3]));
    }),
  );
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
}

t.test("page bad input - refusals, a dead client node, a closing one and an unknown opcode: the reason shown, the page alive", { skip: browserMissing() }, async (t) => {
  const realm = await startFrontDoor(t);
  await createAccounts(postgresOf(t, realm), "odd", 1, "correct horse");
  const browser = await launchBrowser(t);
  const url = playUrl(realm.config.login.nodes[0]!);
  const alive = async (p: BrowserPlayer, what: string) => {
    const frames = await p.framesIn(500);
    t.ok(frames >= 10, `${what}: the page keeps rendering (${frames} frames in 500 ms)`);
    t.same(p.page.errors, [], `${what}: no uncaught script error`);
  };
  const shows = async (p: BrowserPlayer, text: RegExp, what: string) => {
    await p.page.waitForFunction((source) => new RegExp(source, "i").test(document.body.innerText), text.source, { timeout: 10_000 });
    t.pass(`${what}: the page says ${text}`);
  };

  const wrong = await BrowserPlayer.open(browser, url, "wrong password");
  await wrong.page.fill("#username", "odd0");
  await wrong.page.fill("#password", "not the password");
  await wrong.page.click("#login-button");
  await shows(wrong, /wrong username or password/, "a wrong password");
  await alive(wrong, "a wrong password");

  const [closedPort] = await freePorts(1);
  const cases: { what: string; client: string; reason: RegExp }[] = [
    { what: "a client node that is not there", client: `ws://127.0.0.1:${closedPort}/`, reason: /cannot connect to ws:\/\/127\.0\.0\.1/ },
    { what: "a client node that closes at once", client: await badClientNode(t, "close"), reason: /banned by the test/ },
    { what: "an unknown opcode", client: await badClientNode(t, "unknown-opcode"), reason: /unknown opcode 238/ },
  ];
  for (const c of cases) {
    const p = await BrowserPlayer.open(browser, url, c.what);
    // the login node's answer, as a browser receives it, names the misbehaving client node
    await p.page.route("**/login", (route) =>
      route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ session: "s".repeat(43), realm: "Fortrax", client: c.client, clients: [c.client], expiresAt: new Date(Date.now() + 60_000).toISOString() }) }),
    );
    await p.page.fill("#username", "odd0");
    await p.page.fill("#password", "correct horse");
    await p.page.click("#login-button");
    await shows(p, c.reason, c.what);
    await alive(p, c.what);
    await p.page.close();
  }
});
