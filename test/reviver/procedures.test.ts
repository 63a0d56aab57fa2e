// What the reviver does per node kind, who it tells, and the exact words of each cause: pure data,
// checked here against the two-realm example so that a realm's own nodes are told and no others.
import { fileURLToPath } from "node:url";
import t from "tap";
import { NODE_KINDS } from "../../common/protocol/control.ts";
import { loadConfig } from "../../config/load.ts";
import { allNodes, type AnyNodeSpec } from "../../common/topology.ts";
import { exitCause, missedHeartbeats, noHeartbeatAfterStart, processGone, starvedTooLong } from "../../nodes/reviver/causes.ts";
import { nodesToTell, procedureFor } from "../../nodes/reviver/procedures.ts";

const TWO_REALMS = fileURLToPath(new URL("../../config/examples/two-realms.yaml", import.meta.url));
const nodes = allNodes(loadConfig(TWO_REALMS));
const byId = (id: string): AnyNodeSpec => nodes.find((n) => n.id === id)!;
const told = (id: string): string[] => nodesToTell(byId(id), nodes).map((n) => n.id).sort();

t.test("procedures - every kind has a named procedure with its restart among the steps", async (t) => {
  for (const kind of NODE_KINDS) {
    const spec = nodes.find((n) => n.kind === kind)!;
    const p = procedureFor(spec);
    t.ok(p.name.startsWith(`${kind}: `), `${kind}: "${p.name}" names its kind`);
    t.ok(p.name.length <= 100, `${kind}: the name fits the restart record`);
    t.ok(p.steps.includes("kill what is left of the process and spawn it again"), `${kind}: a local node is spawned again`);
    const remote = procedureFor({ ...spec, restart: "ssh far ./start.sh" });
    t.equal(remote.name, p.name, `${kind}: same procedure through a restart command`);
    t.ok(remote.steps.includes("run its restart command: ssh far ./start.sh"), `${kind}: a remote node is restarted by its command`);
  }
});

t.test("procedures - who is told: a database's realm node, zones and every client node; a client's realm nodes; a zone's realm node", async (t) => {
  t.same(told("FORTRAX-DB"), ["CLIENT-1", "CLIENT-2", "FORTRAX-REALM", "FORTRAX-ZONE-1", "FORTRAX-ZONE-2"], "not the other realm's nodes");
  t.same(told("VELMOR-DB"), ["CLIENT-1", "CLIENT-2", "VELMOR-REALM", "VELMOR-ZONE-NE", "VELMOR-ZONE-NW", "VELMOR-ZONE-SE", "VELMOR-ZONE-SW"]);
  t.same(told("CLIENT-1"), ["FORTRAX-REALM", "VELMOR-REALM"], "every realm places players on client nodes");
  t.same(told("VELMOR-ZONE-SE"), ["VELMOR-REALM"]);
  t.same(told("INSTANCE-2"), ["FORTRAX-REALM", "VELMOR-REALM"], "an instance serves every realm");
  for (const id of ["FORTRAX-REALM", "FORTRAX-BACKUP", "LOGIN-1", "REVIVER-2"]) t.same(told(id), [], `${id}: nobody (logged only)`);
});

t.test("causes - one fixed shape each", async (t) => {
  t.equal(exitCause(3, null), "exit code 3");
  t.equal(exitCause(0, null), "exit code 0");
  t.equal(exitCause(null, "SIGKILL"), "signal SIGKILL");
  t.equal(missedHeartbeats(1500), "missed heartbeats (1.5 s)");
  t.equal(starvedTooLong(20_000), "missed heartbeats (20 s) while starved of CPU");
  t.equal(noHeartbeatAfterStart(15_000), "no heartbeat within 15 s of start");
  t.equal(processGone(4242), "process gone (pid 4242)");
});
