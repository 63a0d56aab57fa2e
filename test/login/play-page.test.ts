// The login nodes serve the browser game at /play: the page, its stylesheet and game.js (game.ts
// and the SDK bundled by esbuild at start), nothing else under /play, and a 503 saying why when
// the bundle did not build.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { transform } from "esbuild";
import t from "tap";
import { createLog } from "../../common/log.ts";
import { PlayPage } from "../../nodes/login/play-page.ts";
import { request, requestAsWritten, startFrontDoor } from "../harness/front-door.ts";

const realm = await startFrontDoor(t, { kinds: ["login"] });
const nodes = realm.config.login.nodes;

t.test("play page - every login node serves the page, its stylesheet and the bundled game", async (t) => {
  for (const node of nodes) {
    const page = await request(node, "GET", "/play");
    t.equal(page.status, 200, `${node.id} GET /play`);
    t.match(page.headers["content-type"], /^text\/html/);
    t.equal(page.headers["cache-control"], "no-cache");
    t.match(page.text, /<canvas id="world-canvas"/, "the page has the world's canvas");
    t.match(page.text, /src="\/play\/game\.js"/, "and loads the bundle");

    const css = await request(node, "GET", "/play/style.css");
    t.equal(css.status, 200);
    t.match(css.headers["content-type"], /^text\/css/);
    t.equal(css.headers["cache-control"], "no-cache");

    const js = await request(node, "GET", "/play/game.js");
    t.equal(js.status, 200, js.status === 200 ? "GET /play/game.js" : js.text);
    t.match(js.headers["content-type"], /^text\/javascript/);
    t.equal(js.headers["cache-control"], "no-cache");
    t.match(js.text, /\/\/ ops\/web\/sdk\/realm-client\.ts\n(.*\n)*.*RealmClient = class/, "the SDK is in the bundle");
    t.match(js.text, /realmGame/, "and the page's test hook");
    await t.resolves(transform(js.text, { loader: "js", format: "esm" }), "the bundle is valid JavaScript");

    const head = await request(node, "HEAD", "/play/game.js");
    t.equal(head.status, 200, "HEAD answers too");
    t.equal(head.text, "", "without a body");
  }
});

t.test("play page - unknown files, other methods and paths out of /play are refused", async (t) => {
  const node = nodes[0]!;
  for (const p of ["/play/x", "/play/game.ts", "/play/canvas-view.ts", "/play/index.htm", "/play/style.css/"]) {
    const r = await request(node, "GET", p);
    t.equal(r.status, 404, `GET ${p}: 404`);
    t.type(r.body?.error, "string", "says why");
  }
  // no path reaches a file of its own: these are normalised away or simply not on the list
  for (const p of ["/play/../realms.yaml", "/play/../../package.json", "/play/..%2f..%2fpackage.json", "/play/%2e%2e/realms.yaml", "/play//etc/passwd"]) {
    const r = await requestAsWritten(node, "GET", p);
    t.equal(r.status, 404, `GET ${p}: refused (${r.status})`);
    t.notMatch(r.text, /login:|"dependencies"|root:/, "and nothing of the file");
  }
  for (const method of ["POST", "PUT", "DELETE"]) {
    const r = await request(node, method, "/play/game.js", method === "DELETE" ? undefined : {});
    t.equal(r.status, 405, `${method} /play/game.js: 405`);
    t.equal(r.headers.allow, "GET, HEAD");
  }
  t.equal((await request(node, "GET", "/realms")).status, 200, "the login routes go on");
});

t.test("play page - a bundle that does not build answers 503 with the reason", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "play-broken-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, "index.html"), "<!doctype html>");
  writeFileSync(path.join(dir, "style.css"), "");
  writeFileSync(path.join(dir, "game.ts"), 'import { nothing } from "./missing.ts";\nnothing();\n');
  const logged: string[] = [];
  const log = { ...createLog("play-test", "error"), error: (event: string) => void logged.push(event) };
  const play = PlayPage.start(log, `${dir}/`);
  const server = http.createServer((req, res) => void play.serve(req.method ?? "GET", req.url ?? "/", res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const at = { host: "127.0.0.1", port: (server.address() as AddressInfo).port };
  const r = await request({ id: "play-test", http: at } as never, "GET", "/play");
  t.equal(r.status, 503);
  t.match(r.body?.error, /did not build.*missing\.ts/s, "the reason names what is wrong");
  t.same(logged, ["play-page-build-failed"], "and the node logged it");
});
