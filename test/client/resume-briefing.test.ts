// A client node that restarts knows no token issued before; its peers send it theirs. A restart
// is told by the process start its load reports carry, however few reports the old process sent
// (a report counter starting again missed a node killed a second after its start: the failover
// test's restarted CLIENT-1 was then never briefed).
import t from "tap";
import type { NodeRuntime } from "../../common/node.ts";
import { Op } from "../../common/opcodes.ts";
import type { RealmsConfig } from "../../common/topology.ts";
import type { PeerLoad } from "../../nodes/client/load-report.ts";
import { ResumeBook } from "../../nodes/client/resume-book.ts";

t.test("resume briefing - a peer is sent this node's grants when it is first heard and after each restart, not on every report", async (t) => {
  const sent: { to: string; grants: number }[] = [];
  // the book's only ways out: a send to a peer and a log line
  const rt = {
    id: "CLIENT-2",
    on() {},
    wire: { send: (to: string, op: number, body: { grants?: unknown[] }) => op === Op.CLIENT_RESUME_GRANT && sent.push({ to, grants: body.grants?.length ?? 0 }) },
    log: { info() {} },
  } as unknown as NodeRuntime;
  const config = { clientNodes: [{ id: "CLIENT-1" }, { id: "CLIENT-2" }], realms: [{ name: "Fortrax", reconnectGraceMs: 30_000 }] } as unknown as RealmsConfig;
  const peers = new Map<string, Pick<PeerLoad, "at" | "started">>();
  const book = new ResumeBook(rt, config, peers, { takenElsewhere() {}, expired() {}, orphaned() {} });
  book.issue({ accountId: "7", realm: "Fortrax", entity: 70, characterId: "c7", name: "Seven", zone: "FORTRAX-ZONE-1", x: 1, y: 2 });
  sent.length = 0;

  const now = Date.now();
  peers.set("CLIENT-1", { at: now, started: now - 1000 });
  book.sweep(now);
  t.same(sent, [{ to: "CLIENT-1", grants: 1 }], "first heard: briefed");
  sent.length = 0;
  book.sweep(now + 1000);
  t.same(sent, [], "the same process reporting again: nothing to send");

  peers.set("CLIENT-1", { at: now + 2000, started: now + 1500 });
  book.sweep(now + 2000);
  t.same(sent, [{ to: "CLIENT-1", grants: 1 }], "another start, a second after the first: briefed again");
  sent.length = 0;
  book.sweep(now + 3000);
  t.same(sent, [], "and only once");
});
