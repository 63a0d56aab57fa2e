// `realm keys` makes the mesh's CURVE pairs once and keeps them, secrets readable by their owner
// only; a node whose key is missing refuses to start and says which file and what to run.
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { keyFile, OPERATOR } from "../../common/mesh/mesh-keys.ts";
import { loadConfig } from "../../config/load.ts";
import { allNodes } from "../../common/topology.ts";
import { runCli, tempDir } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

t.test("mesh keys - realm keys makes every missing pair, keeps existing ones, and prints the public keys", async (t) => {
  const dir = tempDir(t);
  const file = await writeTestConfig(dir);
  const config = loadConfig(file);
  const keys = config.mesh!.keys;
  t.equal(keys, path.join(dir, "var", "keys"), "the copy's keys live under its data dir");
  const ids = [...allNodes(config).map((n) => n.id), OPERATOR];
  const before = new Map(ids.map((id) => [id, readFileSync(keyFile(keys, id, "pub"), "utf8").trim()]));
  rmSync(keyFile(keys, "FORTRAX-ZONE-2", "pub"));
  rmSync(keyFile(keys, "FORTRAX-ZONE-2", "key"));

  const r = runCli(["keys", "--config", file]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /^1 new, \d+ kept, in /m, "one pair was missing");
  for (const id of ids) {
    const pub = readFileSync(keyFile(keys, id, "pub"), "utf8").trim();
    t.match(pub, /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/, `${id}: a 40-character Z85 public key`);
    t.ok(r.stdout.includes(`${pub}  ${id === "FORTRAX-ZONE-2" ? "new" : "kept"}`), `${id}: printed, ${id === "FORTRAX-ZONE-2" ? "new" : "kept"}`);
    if (id !== "FORTRAX-ZONE-2") t.equal(pub, before.get(id), `${id}: the existing pair is kept`);
    t.equal(statSync(keyFile(keys, id, "key")).mode & 0o777, 0o600, `${id}.key is mode 0600`);
  }
  const again = runCli(["keys", "--config", file]);
  t.match(again.stdout, new RegExp(`^0 new, ${ids.length} kept`, "m"), "a second run makes nothing");
});

t.test("mesh keys - bad arguments and a realm without a mesh get one clear line", async (t) => {
  const dir = tempDir(t);
  const file = await writeTestConfig(dir, { edit: (doc) => (doc.mesh = { curve: false }) });
  t.equal(loadConfig(file).mesh, undefined, "curve: false runs the mesh plain");
  const plain = runCli(["keys", "--config", file]);
  t.equal(plain.code, 1);
  t.match(plain.stderr, /^realm keys: .*has no mesh: add `mesh: \{ curve: true \}`/);
  const out = path.join(dir, "elsewhere");
  const written = runCli(["keys", "--config", file, "--out", out]);
  t.equal(written.code, 0, "--out makes the pairs in a folder of the operator's choosing");
  t.ok(statSync(keyFile(out, OPERATOR, "key")).isFile());
  const extra = runCli(["keys", "FORTRAX-DB", "--config", file]);
  t.equal(extra.code, 2, "an argument it does not take: usage, exit 2");
  t.match(extra.stderr, /^realm keys: keys takes no arguments/);
});

t.test("mesh keys - a node without its secret key, or with a damaged one, will not start and names the file", async (t) => {
  const dir = tempDir(t);
  const file = await writeTestConfig(dir);
  const keys = loadConfig(file).mesh!.keys;
  rmSync(keyFile(keys, "FORTRAX-ZONE-1", "key"));
  const missing = runCli(["node", "FORTRAX-ZONE-1", "--config", file]);
  t.not(missing.code, 0, "the node exits");
  t.match(missing.stdout, /"event":"fatal".*no usable CURVE secret key for FORTRAX-ZONE-1 at [^ ]*FORTRAX-ZONE-1\.key .*realm keys/);
  writeFileSync(keyFile(keys, "FORTRAX-DB", "key"), "not a key\n");
  const damaged = runCli(["node", "FORTRAX-DB", "--config", file]);
  t.not(damaged.code, 0);
  t.match(damaged.stdout, /no usable CURVE secret key for FORTRAX-DB .*(not a Z85 character|multiple of 5)/);
});
