// The store check's social rules on a real LMDB file: a sound set of guilds, parties and
// friendships checks clean, and each way of breaking them (written straight into the tables, as
// a bug or a damaged disk would) is reported as its own problem, an index one with what it
// should hold so that the repair can rebuild it.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import t from "tap";
import { open } from "lmdb";
import { checkStore, checkStoreFile, describeProblem } from "../../common/store/invariants.ts";
import { closeStore, openStore, type Store, type Table } from "../../common/store/layout.ts";
import { seal } from "../../common/store/records.ts";

const put = (s: Store, table: Table, key: string, value: unknown): void => void s.t[table].putSync(key, seal(value));
const drop = (s: Store, table: Table, key: string): void => void s.t[table].removeSync(key);

const guild = (id: string, name: string, members: [string, string][], invites: string[] = []) => ({
  id,
  name,
  createdAt: 1,
  members: members.map(([characterId, rank]) => ({ characterId, rank, joinedAt: 1 })),
  invites: invites.map((characterId) => ({ characterId, by: "C1", at: 1 })),
});
const party = (id: string, leader: string, members: string[], invites: string[] = []) => ({
  id,
  leader,
  createdAt: 1,
  members: members.map((characterId) => ({ characterId, joinedAt: 1 })),
  invites: invites.map((characterId) => ({ characterId, at: 1 })),
});

/** Five characters; C1 leads "Night Watch" (C2 a member, C3 invited) and a party with C2 (C4 invited); C1 and C2 are friends, C3 asked C1. */
function sound(s: Store): void {
  for (let i = 1; i <= 5; i++) {
    put(s, "characters", `C${i}`, { id: `C${i}`, accountId: `a${i}`, name: `Name${i}`, level: 1, x: 0, y: 0, stats: {}, version: 0, createdAt: 1 });
    put(s, "gold", `C${i}`, 0);
    put(s, "names", `name${i}`, `C${i}`);
    put(s, "byAccount", `a${i}/C${i}`, 1);
  }
  put(s, "guilds", "G1", guild("G1", "Night Watch", [["C1", "leader"], ["C2", "member"]], ["C3"]));
  put(s, "guildNames", "night watch", "G1");
  put(s, "guildOf", "C1", "G1");
  put(s, "guildOf", "C2", "G1");
  put(s, "guildInvites", "C3/G1", 1);
  put(s, "parties", "P1", party("P1", "C1", ["C1", "C2"], ["C4"]));
  put(s, "partyOf", "C1", "P1");
  put(s, "partyOf", "C2", "P1");
  put(s, "partyInvites", "C4/P1", 1);
  put(s, "friends", "C1/C2", { state: "friend", since: 1 });
  put(s, "friends", "C2/C1", { state: "friend", since: 1 });
  put(s, "friends", "C3/C1", { state: "requested", since: 1 });
  put(s, "friends", "C1/C3", { state: "asked", since: 1 });
}

const BREAKS: [string, (s: Store) => void, RegExp][] = [
  ["two leaders", (s) => put(s, "guilds", "G1", guild("G1", "Night Watch", [["C1", "leader"], ["C2", "leader"]], ["C3"])), /membership guilds\["G1"\]: 2 leaders/],
  [
    "a member of two guilds",
    (s) => (put(s, "guilds", "G2", guild("G2", "Dawn", [["C2", "leader"]])), put(s, "guildNames", "dawn", "G2")),
    /membership guilds\["G2"\]: member C2 is also a member of G1/,
  ],
  [
    "two guilds with one name, case ignored",
    (s) => (put(s, "guilds", "G2", guild("G2", "NIGHT WATCH", [["C5", "leader"]])), put(s, "guildOf", "C5", "G2")),
    /membership guilds\["G2"\]: named "NIGHT WATCH" like guild G1/,
  ],
  ["guildOf pointing at another guild", (s) => put(s, "guildOf", "C2", "G9"), /index-extra guildOf\["C2"\]: holds "G9", not "G1"/],
  ["guildOf missing", (s) => drop(s, "guildOf", "C2"), /index-missing guildOf\["C2"\]/],
  ["a guild name index left behind", (s) => put(s, "guildNames", "old name", "G7"), /index-extra guildNames\["old name"\]/],
  ["a deleted character still a member", (s) => (drop(s, "characters", "C2"), drop(s, "gold", "C2"), drop(s, "names", "name2"), drop(s, "byAccount", "a2/C2")), /membership guilds\["G1"\]: member C2 does not exist/],
  ["a friendship on one side only", (s) => drop(s, "friends", "C2/C1"), /friend-edge friends\["C1\/C2"\]: C1 says friend but C2 says nothing/],
  ["a request not mirrored as asked", (s) => put(s, "friends", "C1/C3", { state: "friend", since: 1 }), /friend-edge friends\["C3\/C1"\]: C3 says requested but C1 says friend/],
  ["a party led by a non-member", (s) => put(s, "parties", "P1", party("P1", "C3", ["C1", "C2"], ["C4"])), /membership parties\["P1"\]: leader C3 is not a member/],
  [
    "a party of one with no invites",
    (s) => (put(s, "parties", "P1", party("P1", "C1", ["C1"])), drop(s, "partyOf", "C2"), drop(s, "partyInvites", "C4/P1")),
    /membership parties\["P1"\]: a party of one with no invites/,
  ],
  ["an invite to a character already in a guild", (s) => (put(s, "guilds", "G1", guild("G1", "Night Watch", [["C1", "leader"], ["C2", "member"]], ["C3", "C2"])), put(s, "guildInvites", "C2/G1", 1)), /invited C2 is already in a guild/],
  ["a damaged guild record", (s) => void s.t.guilds.putSync("G1", Buffer.from("garbage")), /corrupt guilds\["G1"\]/],
];

t.test("store check - guilds, parties and friendships: sound is clean, each break is named", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "social-check-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (file: string, change?: (s: Store) => void): Promise<string[]> => {
    const store = openStore(path.join(dir, file), { overlappingSync: false });
    try {
      sound(store);
      change?.(store);
      return checkStore(store).problems.map(describeProblem);
    } finally {
      await closeStore(store);
    }
  };
  t.same(await run("sound.mdb"), [], "a sound social store checks clean");
  for (const [i, [what, change, expected]] of BREAKS.entries()) {
    const problems = await run(`break-${i}.mdb`, change);
    t.ok(problems.some((p) => expected.test(p)), `${what}: reported (${problems.join("; ")})`);
  }
});

t.test("store check - a store written before the social tables existed checks read-only as having none", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "social-check-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "old-snapshot.mdb");
  const env = open({ path: file, maxDbs: 16, encoding: "binary" });
  env.openDB<Buffer, string>("characters", { encoding: "binary" }).putSync("C1", seal({ id: "C1", accountId: "a1", name: "Elder", level: 1, x: 0, y: 0, stats: {}, version: 0, createdAt: 1 }));
  env.openDB<Buffer, string>("gold", { encoding: "binary" }).putSync("C1", seal(0));
  env.openDB<Buffer, string>("names", { encoding: "binary" }).putSync("elder", seal("C1"));
  env.openDB<Buffer, string>("byAccount", { encoding: "binary" }).putSync("a1/C1", seal(1));
  await env.close();
  const report = await checkStoreFile(file);
  t.same(report.problems.map(describeProblem), [], "clean");
  t.equal(report.counts.characters, 1);
  t.equal(report.counts.guilds, 0, "its social tables read as empty");
});
