// The placement rule on its own: least players first, counting the players sent since the last
// report; never a node whose reports stopped. And the directory's handle rules: once, in time.
import t from "tap";
import { ClientLoads, REPORT_STALE_MS } from "../../nodes/realm/client-loads.ts";
import { Directory, sessionHashOf } from "../../nodes/realm/directory.ts";

const NODES = ["CLIENT-1", "CLIENT-2", "CLIENT-3"];

function place(dir: Directory, loads: ClientLoads, account: string, now: number, ttl = 60_000): string | undefined {
  const node = loads.choose(now, (n, at) => dir.notYetReported(n, at, now));
  if (node) dir.put({ accountId: account, accountName: account, sessionHash: sessionHashOf(account), expiresAt: now + ttl, clientNode: node, placedAt: now });
  return node;
}

t.test("client loads - a burst between two reports spreads evenly, counting placements not yet reported", async (t) => {
  const loads = new ClientLoads(NODES);
  const dir = new Directory();
  loads.report("CLIENT-1", 10, 0);
  loads.report("CLIENT-2", 4, 0);
  loads.report("CLIENT-3", 4, 0);
  const counts = new Map<string, number>();
  for (let i = 0; i < 101; i++) {
    const node = place(dir, loads, `A${i}`, 100)!;
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  // 18 + 101 = 119 players: 39/40/40 with the reported ones, so 29..30 / 35..36 / 35..36 new
  const totals = NODES.map((n, i) => [10, 4, 4][i]! + (counts.get(n) ?? 0));
  t.ok(Math.max(...totals) - Math.min(...totals) <= 1, `totals ${totals.join("/")} within one`);
});

t.test("client loads - a node whose reports stopped is never chosen, and comes back when they resume", async (t) => {
  const loads = new ClientLoads(NODES.slice(0, 2));
  const dir = new Directory();
  loads.report("CLIENT-1", 100, 0);
  loads.report("CLIENT-2", 0, 0);
  t.equal(place(dir, loads, "x", REPORT_STALE_MS), "CLIENT-2", "still fresh at exactly the limit");
  loads.report("CLIENT-1", 100, 2000);
  t.equal(place(dir, loads, "y", REPORT_STALE_MS + 1), "CLIENT-1", "the emptier node went silent: the busy one takes the player");
  t.same(loads.lost(REPORT_STALE_MS + 1), ["CLIENT-2"], "reported lost once");
  t.same(loads.lost(REPORT_STALE_MS + 2), []);
  t.equal(loads.report("CLIENT-2", 0, 3000), true, "its next report makes it live again");
  t.equal(place(dir, loads, "z", 3000), "CLIENT-2");
  t.equal(new ClientLoads(NODES).choose(0, () => 0), undefined, "no reports at all: nobody to place on");
});

t.test("client loads - an attached player counts once: in the report after the attach, not twice", async (t) => {
  const loads = new ClientLoads(NODES.slice(0, 2));
  const dir = new Directory();
  loads.report("CLIENT-1", 0, 0);
  loads.report("CLIENT-2", 0, 0);
  t.equal(place(dir, loads, "p", 10), "CLIENT-1");
  t.equal(dir.attach("p", "CLIENT-1", 20).ok, true);
  t.equal(dir.notYetReported("CLIENT-1", 0, 30), 1, "attached after the last report: still counted by us");
  loads.report("CLIENT-1", 1, 1000);
  t.equal(dir.notYetReported("CLIENT-1", 1000, 1001), 0, "the report includes it now");
});

t.test("directory - a handle attaches once and only before it expires; a new login replaces the place", async (t) => {
  const dir = new Directory();
  dir.put({ accountId: "1", accountName: "A", sessionHash: sessionHashOf("h1"), expiresAt: 1000, clientNode: "CLIENT-1", placedAt: 0 });
  t.same(dir.attach("nope", "CLIENT-1", 10), { ok: false, code: "unknown" });
  t.same(dir.attach("h1", "CLIENT-1", 1000), { ok: false, code: "expired" }, "at the expiry instant it is over");
  t.equal(dir.attach("h1", "CLIENT-2", 999).ok, true, "any client node may attach it (a reconnect after a client node died)");
  t.same(dir.attach("h1", "CLIENT-2", 999), { ok: false, code: "used" });
  t.ok(dir.attachedFrom("1", "CLIENT-2"));
  t.notOk(dir.attachedFrom("1", "CLIENT-1"), "only the node that attached acts for the player");
  const old = dir.put({ accountId: "1", accountName: "A", sessionHash: sessionHashOf("h2"), expiresAt: 5000, clientNode: "CLIENT-1", placedAt: 1 });
  t.equal(old?.attachedTo, "CLIENT-2", "the replaced place says whose connection to kick");
  t.same(dir.attach("h1", "CLIENT-1", 2), { ok: false, code: "unknown" }, "the old handle is gone");
  t.equal(dir.population, 1);
  t.same(dir.sweep(5000).map((p) => p.accountId), ["1"], "an unattached handle past its expiry frees its place");
  t.equal(dir.population, 0);
  t.same(dir.attach("h2", "CLIENT-1", 5001), { ok: false, code: "expired" }, "and its handle is still refused as expired, not unknown");
});
