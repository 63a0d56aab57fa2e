// TLS for players: with `tls: {cert, key}` in realms.yaml the login nodes serve https and the client
// nodes wss, the login answer names wss://, and a player logs in and enters the world over them.
// Plain http and ws to those ports, garbage and a handshake that stops half-way are refused without
// disturbing anyone; the nodes keep serving and are never restarted. The pair is made at run time.
import { randomBytes, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import type { TLSSocket } from "node:tls";
import t from "tap";
import { WebSocket } from "ws";
import { TLS_HANDSHAKE_MS } from "../../common/tls-server.ts";
import type { HostPort } from "../../common/topology.ts";
import { createAccounts, login, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { createCharacter } from "../harness/players.ts";
import { opensslMissing, selfSigned } from "../harness/tls-pair.ts";
import { spawnCli, tempDir, until } from "../harness/realm.ts";
import { smallWorld } from "../harness/test-config.ts";

/** GET /health over https; resolves with the certificate the node showed, or rejects with the TLS error. */
function peerCertificate(at: HostPort, ca: Buffer | undefined): Promise<{ status: number; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: at.host, port: at.port, path: "/health", agent: false, ...(ca && { ca }) }, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, fingerprint }));
    });
    req.on("error", reject);
  });
}

/** A plain-HTTP GET to a TLS port: the error it ends with (an answer would be a failure). */
function plainHttp(at: HostPort): Promise<string> {
  return new Promise((resolve) => {
    const req = http.get({ host: at.host, port: at.port, path: "/health", agent: false }, (res) => {
      res.resume();
      resolve(`answered ${res.statusCode}`);
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A ws:// (no TLS) open to a wss port: how it ended. */
function plainWs(at: HostPort): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${at.host}:${at.port}/`);
    ws.on("open", () => {
      ws.terminate();
      resolve("opened");
    });
    ws.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/** A raw TCP socket that sends `bytes` and then waits: resolves when the node closes it. */
function rawSocket(t: { teardown(fn: () => void): void }, at: HostPort, bytes: Buffer): { closed: Promise<number>; answered: () => Buffer } {
  const opened = Date.now();
  let answered = Buffer.alloc(0);
  const socket = net.connect(at.port, at.host, () => socket.write(bytes));
  socket.on("data", (d: Buffer) => (answered = Buffer.concat([answered, d])));
  socket.on("error", () => {
    // a reset is one way of being refused; the close says when
  });
  t.teardown(() => void socket.destroy());
  return { closed: new Promise((resolve) => socket.on("close", () => resolve(Date.now() - opened))), answered: () => answered };
}

/**
 * Nothing, or one TLS alert record (content type 21): OpenSSL answers about 1 in 130 random
 * openings with a fatal alert (record_overflow, say) before closing, which is still a refusal.
 */
function refusedOnly(answer: Buffer): boolean {
  return answer.length === 0 || (answer.length === 7 && answer[0] === 0x15 && answer.readUInt16BE(3) === 2);
}

/** `p`, or a failure naming `what` once `ms` have passed. */
function within<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

t.test("tls - players log in over https and play over wss; plain and broken connections are refused and the nodes serve on", { skip: opensslMissing }, async (t) => {
  const pair = selfSigned(tempDir(t, "realm-tls-"));
  const ca = readFileSync(pair.cert);
  const realm = await startFrontDoor(t, {
    kinds: ["login", "realm", "client", "zone", "database"],
    edit: (doc) => {
      // small, so the load bots at the end reach their spot at once
      smallWorld(doc);
      for (const n of [...doc.login.nodes, ...doc.client_nodes]) n.tls = pair;
    },
  });
  const loginNodes = realm.config.login.nodes;
  const clientNodes = realm.config.clientNodes;
  const front = loginNodes[0]!;
  const [w, h] = [realm.config.realms[0]!.world.width, realm.config.realms[0]!.world.height];
  const restartsBefore = new Map((await realm.status())!.nodes.map((n) => [n.id, n.restarts]));

  // a handshake that stops after a record header and a few bytes of a ClientHello, to each kind:
  // held until the handshake timeout while everything below goes on
  const partialHello = Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01]);
  const stalled = [rawSocket(t, front.http, partialHello), rawSocket(t, clientNodes[0]!.ws, partialHello)];

  const shown = await peerCertificate(front.http, ca);
  t.equal(shown.status, 200, "GET /health over https, trusting the test certificate");
  t.equal(shown.fingerprint, new X509Certificate(ca).fingerprint256, "the login node shows the certificate realms.yaml names");
  await t.rejects(peerCertificate(front.http, undefined), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, "without the certificate trusted the client refuses it: the server is verified, not just encrypted");

  for (const n of loginNodes) t.match(await plainHttp(n.http), /^(ECONNRESET|EPIPE)$|hang up/, `plain http to ${n.id}'s https port is refused`);
  for (const c of clientNodes) t.not(await plainWs(c.ws), "opened", `ws:// to ${c.id}'s wss port is refused`);
  const garbage = [rawSocket(t, front.http, randomBytes(2048)), rawSocket(t, clientNodes[1]!.ws, randomBytes(2048))];
  for (const g of garbage) {
    const ms = await within("garbage closed", TLS_HANDSHAKE_MS, g.closed);
    t.ok(refusedOnly(g.answered()), `garbage instead of a handshake is closed at once, unanswered but for a TLS alert (${ms} ms, ${g.answered().toString("hex") || "nothing"})`);
  }

  const [name, other] = (await createAccounts(postgresOf(t, realm), "sealed", 2, "correct horse")) as [string, string];
  const answer = await login(front, name, "correct horse");
  t.equal(answer.status, 200, "logged in over https");
  t.match(answer.body.client, /^wss:\/\/127\.0\.0\.1:\d+\/$/, `the login answer names wss:// (${answer.body.client})`);
  t.ok((answer.body.clients as string[]).every((u) => u.startsWith("wss://")), "and every client node to resume on is wss:// too");

  const bot = await PlayerBot.connect(answer.body.client, name, { ca });
  t.teardown(() => bot.ws.terminate());
  await bot.hello(answer.body.session);
  const entered = await bot.select((await createCharacter(bot, "Vault")).id);
  t.ok(entered.entity > 0, `the character stands in the world over wss as entity ${entered.entity}`);
  const self = await until("the player to see itself", 10_000, () => bot.view.get(entered.entity));
  bot.move((self.qx * w) / 65535 + 0.3, (self.qy * h) / 65535, w, h);
  await bot.waitFrames(3);
  t.pass("world updates arrive over wss after a move");

  for (const [i, s] of stalled.entries()) {
    const ms = await within("the stalled handshake closed", TLS_HANDSHAKE_MS + 10_000, s.closed);
    t.ok(ms >= TLS_HANDSHAKE_MS - 500 && s.answered().length === 0, `a stalled handshake to the ${i === 0 ? "login" : "client"} node is held, then closed after the handshake timeout (${ms} ms)`);
  }
  // after the bad connections the same nodes still log players in and take their sockets
  const again = await login(front, other, "correct horse");
  t.equal(again.status, 200, "the login node still serves https after the bad connections");
  const second = await PlayerBot.connect(again.body.client, other, { ca });
  t.teardown(() => second.ws.terminate());
  t.equal((await second.hello(again.body.session)).realm, "Fortrax", "a second player is welcomed over wss");
  await bot.waitFrames(2);
  const restartsAfter = (await realm.status())!.nodes.filter((n) => n.kind === "login" || n.kind === "client");
  t.same(
    restartsAfter.map((n) => [n.id, n.state, n.restarts]),
    restartsAfter.map((n) => [n.id, "up", restartsBefore.get(n.id)]),
    "no login or client node went down or was restarted",
  );

  // the load bots too: https to the login nodes, wss to the client nodes, the test pair trusted as a CA
  // (the CLI's children take NODE_EXTRA_CA_CERTS from this process's environment)
  process.env.NODE_EXTRA_CA_CERTS = pair.cert;
  const bots = spawnCli(t, ["bots", "--config", realm.configFile, "--players", "3", "--behavior", "clump", "--duration", "4", "--json"], 90_000);
  delete process.env.NODE_EXTRA_CA_CERTS;
  const run = await bots.done;
  t.equal(run.code, 0, "realm bots exits 0 against the TLS realm", { stderr: run.stderr.slice(-2000) });
  const summary = JSON.parse(run.stdout.trim().split("\n").pop() || "{}") as { inWorld?: number; failed?: number };
  t.same([summary.inWorld, summary.failed], [3, 0], "all 3 bots logged in over https and stood in the world over wss");
});
