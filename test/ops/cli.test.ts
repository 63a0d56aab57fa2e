// The operator CLI answers mistakes with one clear line and a non-zero exit, and starts nothing
// from a bad realms.yaml.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { REPO, runCli, tempDir } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

const FIXTURES = path.join(REPO, "test", "fixtures", "bad-config");

t.test("cli - usage mistakes are one line and exit 2", async (t) => {
  for (const args of [["frobnicate"], ["status", "--bogus"], ["start", "--config"], ["stop", "--data"]]) {
    const r = runCli(args);
    t.equal(r.code, 2, `realm ${args.join(" ")} exits 2`);
    t.match(r.stderr.split("\n")[0] ?? "", /^realm \S+: .+/, `realm ${args.join(" ")}: ${r.stderr.split("\n")[0]}`);
  }
  t.equal(runCli([]).code, 2, "no command prints usage and exits 2");
});

t.test("cli - check-config accepts the shipped file and the two-realm example", async (t) => {
  const shipped = runCli(["check-config"]);
  t.equal(shipped.code, 0, shipped.stderr);
  t.match(shipped.stdout, /realms.yaml: ok \(13 nodes, 1 realm\)/);
  const two = runCli(["check-config", "config/examples/two-realms.yaml"]);
  t.equal(two.code, 0, two.stderr);
  t.match(two.stdout, /2 realms/);
});

t.test("cli - every bad realms.yaml is refused with file:line and key, by check-config and by start", async (t) => {
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml"));
  t.ok(fixtures.length >= 12, `${fixtures.length} bad fixtures`);
  for (const name of fixtures) {
    const file = path.join(FIXTURES, name);
    const expect = /^# expect: (\d+):? (.*)$/m.exec(readFileSync(file, "utf8"));
    const r = runCli(["check-config", file]);
    t.equal(r.code, 2, `${name}: check-config exits 2`);
    t.ok(r.stderr.includes(`${file}:${expect?.[1]} `), `${name}: names the file and line ${expect?.[1]}`);
  }
  // start must refuse before it starts anything: no data dir, no pid file, no postgres
  const dir = tempDir(t);
  const bad = path.join(dir, "bad.yaml");
  await writeTestConfig(dir, {
    edit: (doc) => {
      doc.realms[0].zones[1].region = [1000, 0, 4000, 4000];
    },
  });
  const { renameSync } = await import("node:fs");
  renameSync(path.join(dir, "realms.yaml"), bad);
  const start = runCli(["start", "--config", bad]);
  t.equal(start.code, 2, "realm start exits 2");
  t.match(start.stderr, /bad\.yaml:\d+ realms\[0\]\.zones\[1\]\.region: overlaps FORTRAX-ZONE-1/);
  t.notOk(existsSync(path.join(dir, "var")), "nothing was started: no data dir was made");
});

t.test("cli - status with no realm running says so and exits 1", async (t) => {
  const dir = tempDir(t);
  const file = await writeTestConfig(dir);
  const r = runCli(["status", "--config", file]);
  t.equal(r.code, 1);
  t.match(r.stderr, /^realm status: no reviver answered .*is the realm running\?/);
  const stop = runCli(["stop", "--config", file]);
  t.equal(stop.code, 1);
  t.match(stop.stderr, /no realm is running/);
});
