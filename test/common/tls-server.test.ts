// The players' listeners read their PEM pair at node start: a missing, unreadable, mismatched or
// non-PEM file is a ConfigError naming the file, the line and the key, and a node that meets one
// dies at once with that as its `fatal` line (what the reviver reports as the cause).
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import t from "tap";
import { ConfigError } from "../../common/errors.ts";
import { createHttpServer } from "../../common/tls-server.ts";
import type { TlsFiles } from "../../common/topology.ts";
import { REPO, tempDir } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";
import { opensslMissing, selfSigned } from "../harness/tls-pair.ts";

const files = (cert: string, key: string): TlsFiles => ({ cert, key, declared: { file: "realms.yaml", path: "client_nodes[0].tls", certLine: 12, keyLine: 13 } });

/** The one problem createHttpServer reports for these files. */
function problemOf(tls: TlsFiles): string {
  try {
    createHttpServer(() => {}, tls).close();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  return "accepted";
}

t.test("tls-server - bad PEM files are refused naming the file, line and key", { skip: opensslMissing }, async (t) => {
  const dir = tempDir(t, "realm-tls-");
  const a = selfSigned(dir, "a");
  const b = selfSigned(dir, "b");
  const junk = path.join(dir, "junk.pem");
  writeFileSync(junk, "not a PEM file\n");
  const locked = path.join(dir, "locked.key");
  writeFileSync(locked, "");
  chmodSync(locked, 0o000);
  const missing = path.join(dir, "missing.key");
  t.equal(problemOf(files(a.cert, missing)), `realms.yaml:13 client_nodes[0].tls.key: cannot read ${missing} (ENOENT): fix the path (relative to the config file's folder) or let the node's user read the file`);
  t.match(problemOf(files(path.join(dir, "nope.crt"), a.key)), /^realms\.yaml:12 client_nodes\[0\]\.tls\.cert: cannot read .*nope\.crt \(ENOENT\)/, "a missing certificate points at the cert line");
  // root reads anything: the permission case only means something for other users
  if (process.getuid?.() !== 0) t.match(problemOf(files(a.cert, locked)), /tls\.key: cannot read .*locked\.key \(EACCES\)/, "an unreadable key");
  t.match(problemOf(files(a.cert, b.key)), /^realms\.yaml:12 client_nodes\[0\]\.tls: .*a\.crt and .*b\.key are not a PEM certificate and its private key \(.*key values mismatch\)/, "a key of another certificate");
  t.match(problemOf(files(junk, a.key)), /client_nodes\[0\]\.tls: .*junk\.pem and .*a\.key are not a PEM certificate/, "a certificate that is not PEM");
  t.match(problemOf(files(a.cert, junk)), /client_nodes\[0\]\.tls: .*a\.crt and .*junk\.pem are not a PEM certificate/, "a key that is not PEM");

  const server = createHttpServer((_req, res) => res.end("sealed"), files(a.cert, a.key));
  t.teardown(() => void server.close());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const body = await new Promise<string>((resolve, reject) => {
    https
      .get({ host: "127.0.0.1", port, agent: false, ca: readFileSync(a.cert) }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () => resolve(text));
      })
      .on("error", reject);
  });
  t.equal(body, "sealed", "a good pair serves https");
});

t.test("tls-server - a client node whose key file is missing dies at start, its fatal line naming file, line and key", async (t) => {
  const dir = tempDir(t, "realm-tls-");
  const configFile = await writeTestConfig(dir, {
    edit: (doc) => {
      doc.client_nodes[0].tls = { cert: "tls/client.crt", key: "tls/client.key" };
    },
  });
  const run = spawnSync(process.execPath, ["--import", import.meta.resolve("tsx"), path.join(REPO, "nodes/client/main.ts"), "--config", configFile, "--node", "CLIENT-1"], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 30_000,
  });
  t.equal(run.status, 1, "the node exits 1 before serving anything");
  const fatal = `${run.stdout}${run.stderr}`.split("\n").find((l) => l.includes('"event":"fatal"')) ?? "";
  t.match(fatal, `${configFile}:`, "the fatal line names the config file");
  t.match(fatal, /realms\.yaml:\d+ client_nodes\[0\]\.tls\.cert: cannot read .*tls\/client\.crt \(ENOENT\)/, fatal);
});
