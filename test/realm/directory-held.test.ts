// The directory's rules for places that come from client nodes rather than logins (a restarted
// realm node's rebuild, a resume through another client node): a report creates or moves the
// place, never takes over a newer login's, and a rebuilt place (its handle unknown) ends with any
// end of the account's session.
import t from "tap";
import { Directory, sessionHashOf } from "../../nodes/realm/directory.ts";

const granted = (accountId: string, handle: string, now: number) => ({
  accountId,
  accountName: `N${accountId}`,
  sessionHash: sessionHashOf(handle),
  expiresAt: now + 120_000,
  clientNode: "CLIENT-1",
  placedAt: now,
});

t.test("directory - a client node's report creates the place, attached there, and counts it", async (t) => {
  const dir = new Directory();
  const place = dir.heldBy("7", "CLIENT-2", 1000);
  t.match(place, { accountId: "7", clientNode: "CLIENT-2", attachedTo: "CLIENT-2" });
  t.equal(dir.population, 1);
  t.equal(dir.attached, 1);
  t.equal(dir.attachedFrom("7", "CLIENT-2"), place, "the node holding it acts for the player");
  t.same(dir.sweep(10_000_000), [], "an attached place never expires");
});

t.test("directory - a resume through another node moves the place; the same node again changes nothing", async (t) => {
  const dir = new Directory();
  dir.put(granted("1", "h1", 0));
  t.equal(dir.attach("h1", "CLIENT-1", 10).ok, true);
  const moved = dir.heldBy("1", "CLIENT-2", 20);
  t.match(moved, { attachedTo: "CLIENT-2", attachedAt: 20, sessionHash: sessionHashOf("h1") }, "kicks and departures go to the new node");
  t.equal(dir.attachedFrom("1", "CLIENT-1"), undefined, "the old node no longer acts for it");
  dir.heldBy("1", "CLIENT-2", 99);
  t.equal(dir.of("1")?.attachedAt, 20, "a repeated report keeps when it attached (placement counts stay right)");
});

t.test("directory - a report never takes over a newer login that has not attached yet", async (t) => {
  const dir = new Directory();
  dir.put(granted("1", "fresh", 0));
  t.equal(dir.heldBy("1", "CLIENT-2", 5), undefined, "the node holds the older connection: the caller kicks it");
  t.match(dir.of("1"), { sessionHash: sessionHashOf("fresh") }, "the new login keeps its place");
  t.equal(dir.attach("fresh", "CLIENT-1", 6).ok, true, "and attaches");
});

t.test("directory - a rebuilt place ends with the account's session, whatever handle the end names", async (t) => {
  const dir = new Directory();
  dir.heldBy("1", "CLIENT-1", 0);
  t.ok(dir.remove("1", sessionHashOf("whatever the login node had")), "its handle is unknown: the account's one live session ends");
  t.equal(dir.population, 0);
  dir.put(granted("2", "known", 0));
  t.equal(dir.remove("2", sessionHashOf("older")), undefined, "a known handle still protects a newer session");
  t.equal(dir.population, 1);
});
