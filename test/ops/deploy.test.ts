// `realm deploy` writes what systemd and Kubernetes need from realms.yaml, and `realm node` runs
// the one node they start. The units are checked by systemd itself; the manifests by a schema of
// the fields each kind must have, and against the config they came from.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../../config/load.ts";
import { allNodes, type AnyNodeSpec, type RealmsConfig } from "../../common/topology.ts";
import { CLI, REPO, runCli, tempDir, until } from "../harness/realm.ts";
import { writeTestConfig } from "../harness/test-config.ts";

const hasVerify = spawnSync("systemd-analyze", ["--version"]).status === 0;

/** The ports realms.yaml gives a node, by what they are for. */
function configPorts(n: AnyNodeSpec): Record<string, number> {
  const port = (a: string): number => Number(a.slice(a.lastIndexOf(":") + 1));
  const ports: Record<string, number> = { inbox: port(n.inbox) };
  if (n.kind === "zone" || n.kind === "instance") ports.pub = port(n.pub);
  if (n.kind === "login") ports.http = n.http.port;
  if (n.kind === "client") ports.ws = n.ws.port;
  return ports;
}

/** Runs `realm deploy <target>` over a test config; a failure fails the test that asked. */
async function deployed(t: Parameters<typeof tempDir>[0], target: string): Promise<{ config: RealmsConfig; out: string }> {
  const dir = tempDir(t);
  const file = await writeTestConfig(dir);
  const out = path.join(dir, "out");
  const r = runCli(["deploy", target, "--out", out, "--config", file]);
  if (r.code !== 0) throw new Error(`realm deploy ${target} exited ${r.code}: ${r.stderr}`);
  return { config: loadConfig(file), out };
}

t.test("deploy - systemd units pass systemd-analyze verify, and the reviver restarts through systemctl", { skip: hasVerify ? false : "systemd-analyze is missing: apt-get install -y systemd" }, async (t) => {
  const { config, out } = await deployed(t, "systemd");
  const unit = readFileSync(path.join(out, "realm-node@.service"), "utf8");
  t.match(unit, /^ExecStart=\S+ \S+\/ops\/realm\.mjs node %i /m, "ExecStart runs realm node %i");
  t.match(unit, /^Restart=no$/m, "systemd does not restart: the reviver does");
  // verify wants instances: one unit file per node id, as systemctl would instantiate the template
  const check = path.join(out, "verify");
  mkdirSync(check);
  const ids = allNodes(config).map((n) => n.id);
  for (const id of ids) copyFileSync(path.join(out, "realm-node@.service"), path.join(check, `realm-node@${id}.service`));
  copyFileSync(path.join(out, "realm.target"), path.join(check, "realm.target"));
  const units = readdirSync(check).map((f) => path.join(check, f));
  const verify = spawnSync("systemd-analyze", ["verify", ...units], { encoding: "utf8" });
  t.equal(verify.status, 0, `systemd-analyze verify: ${verify.stderr}`);
  t.equal(verify.stderr.trim(), "", "no warnings either");
  // and verify does find a broken unit, so its silence above means something
  writeFileSync(path.join(check, "realm-node@BROKEN.service"), unit.replace(/^Restart=no$/m, "Restart=sometimes").replace(/^ExecStart=\S+/m, "ExecStart=/nonexistent/node"));
  t.not(spawnSync("systemd-analyze", ["verify", path.join(check, "realm-node@BROKEN.service")]).status, 0, "a broken unit fails verify");

  const deployedConfig = loadConfig(path.join(out, "realms.yaml"));
  for (const n of allNodes(deployedConfig)) t.equal(n.restart, `systemctl kill --signal=SIGKILL realm-node@${n.id}.service; systemctl restart realm-node@${n.id}.service`, `${n.id}: the reviver restarts it through systemd`);
  t.same(allNodes(deployedConfig).map((n) => n.id), ids, "the deployed realms.yaml has every node");
  t.same(deployedConfig.mesh, { keys: "/etc/realm/keys" }, "the units' mesh reads its CURVE keys from /etc/realm/keys");
  t.same(
    allNodes(deployedConfig).map((n) => configPorts(n)),
    allNodes(config).map((n) => configPorts(n)),
    "with the same ports",
  );
  const listed = readFileSync(path.join(out, "hosts", "127.0.0.1.nodes"), "utf8").trim().split("\n");
  t.same(listed, ids, "the host list names every node on 127.0.0.1");
  t.same(readFileSync(path.join(out, "hosts", "127.0.0.1.enable"), "utf8").trim().split("\n"), config.revivers.map((r) => r.id), "only the revivers are enabled");
  t.match(readFileSync(path.join(out, "realm.env"), "utf8"), /^DATABASE_URL=/m);
});

type Doc = Record<string, any>;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const API: Record<string, string> = { StatefulSet: "apps/v1", Service: "v1", ConfigMap: "v1", Secret: "v1" };
// IANA service names, as the API server checks port names: at most 15, lower case, a letter among them
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;
const unique = (names: unknown[]): boolean => new Set(names).size === names.length;
const isPort = (p: unknown): boolean => Number.isInteger(p) && (p as number) > 0 && (p as number) < 65536;

/** The fields the API server requires of each kind we write; returns what is wrong. */
function schemaProblems(d: Doc): string[] {
  const p: string[] = [];
  const name = d.metadata?.name;
  if (API[d.kind] === undefined) return [`unexpected kind ${d.kind}`];
  if (d.apiVersion !== API[d.kind]) p.push(`apiVersion ${d.apiVersion}, not ${API[d.kind]}`);
  if (typeof name !== "string" || !DNS_LABEL.test(name)) p.push(`metadata.name ${name} is not a DNS label`);
  if (d.kind === "StatefulSet") {
    const s = d.spec ?? {};
    const labels = s.template?.metadata?.labels ?? {};
    if (typeof s.serviceName !== "string") p.push("spec.serviceName missing");
    if (!Number.isInteger(s.replicas) || s.replicas < 1) p.push("spec.replicas not a positive integer");
    const match = s.selector?.matchLabels;
    if (!match || Object.entries(match).some(([k, v]) => labels[k] !== v)) p.push("spec.selector.matchLabels do not select the template");
    const containers: Doc[] = s.template?.spec?.containers ?? [];
    if (containers.length === 0) p.push("no containers");
    const volumes = new Set([...(s.template?.spec?.volumes ?? []), ...(s.volumeClaimTemplates ?? []).map((v: Doc) => v.metadata)].map((v: Doc) => v.name));
    for (const c of containers) {
      if (typeof c.name !== "string" || typeof c.image !== "string" || !Array.isArray(c.command)) p.push("container needs name, image, command");
      for (const port of c.ports ?? []) if (!isPort(port.containerPort) || !PORT_NAME.test(port.name)) p.push(`bad container port ${JSON.stringify(port)}`);
      if (!unique((c.ports ?? []).map((port: Doc) => port.name))) p.push(`container ${c.name}: port names repeat`);
      for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) p.push(`volumeMount ${m.name} names no volume`);
    }
    for (const v of s.volumeClaimTemplates ?? []) if (!v.spec?.accessModes?.length || !v.spec?.resources?.requests?.storage) p.push("volumeClaimTemplate needs accessModes and a storage request");
  } else if (d.kind === "Service") {
    if (!d.spec?.selector || Object.keys(d.spec.selector).length === 0) p.push("spec.selector missing");
    const ports: Doc[] = d.spec?.ports ?? [];
    if (ports.length === 0) p.push("spec.ports empty");
    for (const port of ports) if (!isPort(port.port) || !isPort(port.targetPort) || !PORT_NAME.test(port.name)) p.push(`bad service port ${JSON.stringify(port)}`);
    if (!unique(ports.map((port) => port.name))) p.push("service port names repeat");
  } else if (d.kind === "ConfigMap") {
    if (typeof d.data?.["realms.yaml"] !== "string") p.push("data.realms.yaml missing");
  } else if (d.kind === "Secret" && typeof d.type !== "string") {
    p.push("type missing");
  }
  return p;
}

t.test("deploy - kubernetes manifests parse, match the schema, and carry every node and port of the config", async (t) => {
  const { config, out } = await deployed(t, "kubernetes");
  const docs: Doc[] = [];
  for (const file of ["realm.yaml", "secrets.yaml"]) {
    for (const doc of parseAllDocuments(readFileSync(path.join(out, file), "utf8"))) {
      t.same(doc.errors, [], `${file} parses`);
      docs.push(doc.toJS() as Doc);
    }
  }
  for (const d of docs) t.same(schemaProblems(d), [], `${d.kind} ${d.metadata?.name} matches the schema`);
  const of = (kind: string): Doc[] => docs.filter((d) => d.kind === kind);
  const named = (kind: string, name: string): Doc | undefined => of(kind).find((d) => d.metadata.name === name);

  const nodes = allNodes(config);
  const sets = of("StatefulSet");
  t.same(sets.map((s) => s.metadata.name).sort(), [...new Set(nodes.map((n) => `realm-${n.kind}`))].sort(), "one StatefulSet per node kind");
  const cluster = path.join(out, "cluster-realms.yaml");
  writeFileSync(cluster, named("ConfigMap", "realm-config")?.data["realms.yaml"] ?? "");
  const clusterNodes = new Map(allNodes(loadConfig(cluster)).map((n) => [n.id, n]));
  t.same(loadConfig(cluster).mesh, { keys: "/etc/realm/keys" }, "the pods' mesh reads its CURVE keys where the Secret is mounted");
  for (const n of nodes) {
    const set = named("StatefulSet", `realm-${n.kind}`);
    const ids: string[] = set?.spec.template.metadata.annotations["realm/node-ids"].split(",") ?? [];
    const ordinal = ids.indexOf(n.id);
    t.ok(ordinal >= 0 && set?.spec.template.spec.containers[0].command.join(" ").includes(n.id), `${n.id} is run by ${set?.metadata.name}`);
    t.equal(set?.spec.replicas, ids.length);
    const containerPorts = new Set(set?.spec.template.spec.containers[0].ports.map((p: Doc) => p.containerPort));
    for (const [what, port] of Object.entries(configPorts(n))) t.ok(containerPorts.has(port), `${n.id} ${what} ${port} is a container port`);
    // the other nodes dial it at its pod's stable name, behind the kind's headless Service
    const inCluster = clusterNodes.get(n.id);
    t.equal(inCluster?.inbox, `tcp://realm-${n.kind}-${ordinal}.realm-${n.kind}:${configPorts(n).inbox}`, `${n.id} inbox at its pod`);
    t.same(inCluster && configPorts(inCluster), configPorts(n), `${n.id} keeps its ports in the cluster's realms.yaml`);
    const headless = named("Service", set?.spec.serviceName);
    t.equal(headless?.spec.clusterIP, "None", `${set?.spec.serviceName} is headless`);
    t.equal(set?.spec.volumeClaimTemplates?.[0]?.metadata.name, n.kind === "database" || n.kind === "backup" ? "data" : undefined, `${n.id}: a disk of its own only for LMDB`);
    if (n.kind === "login" || n.kind === "client") {
      const svc = of("Service").find((s) => s.metadata.labels?.["realm/node-id"] === n.id);
      const port = n.kind === "login" ? n.http.port : n.ws.port;
      t.same(svc?.spec.ports.map((p: Doc) => [p.port, p.targetPort]), [[port, port]], `${n.id}: players reach ${n.kind === "login" ? "http" : "ws"} ${port}`);
      t.same(svc?.spec.selector, { "statefulset.kubernetes.io/pod-name": `realm-${n.kind}-${ordinal}` }, `${n.id}: the Service selects its pod`);
    }
  }
  t.ok(named("Secret", "realm-curve-keys"), "a Secret for the CURVE keys");
  for (const s of sets) {
    t.ok(s.spec.template.spec.volumes.some((v: Doc) => v.secret?.secretName === "realm-curve-keys"), `${s.metadata.name} mounts the keys`);
  }
});

t.test("deploy - realm node runs one node in the foreground and stops it on SIGTERM", async (t) => {
  const dir = tempDir(t);
  const file = await writeTestConfig(dir);
  const child = spawn(process.execPath, [CLI, "node", "FORTRAX-DB", "--config", file], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DATABASE_URL: "" } });
  t.teardown(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  await until("FORTRAX-DB node-up on realm node's stdout", 30_000, () => (/"node":"FORTRAX-DB".*"event":"node-up"/.test(out) ? true : undefined));
  child.kill("SIGTERM");
  t.equal(await exited, 0, "exits 0 once the node has stopped");
  t.match(out, /"event":"node-stopped"/, "the node stopped cleanly");
});

t.test("deploy - bad input is one clear line and exit 2", async (t) => {
  const cases: [string[], RegExp][] = [
    [["node", "NO-SUCH-NODE"], /^realm node: no node NO-SUCH-NODE in \S+realms\.yaml \(its nodes: REVIVER-1, /],
    [["node"], /^realm node: which node\?/],
    [["deploy", "nomad"], /^realm deploy: unknown deploy target "nomad": use systemd or kubernetes/],
    [["deploy"], /^realm deploy: which engine\?/],
    [["deploy", "systemd", "--out"], /^realm deploy: .*--out.*argument missing/],
    [["deploy", "systemd", "--image", "x"], /^realm deploy: --image is for kubernetes only/],
  ];
  for (const [args, message] of cases) {
    const r = runCli(args);
    t.equal(r.code, 2, `realm ${args.join(" ")} exits 2`);
    t.match(r.stderr.split("\n")[0] ?? "", message, `realm ${args.join(" ")}: ${r.stderr.split("\n")[0]}`);
  }
});
