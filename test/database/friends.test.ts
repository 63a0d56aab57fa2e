// Friends against a real database node: request, accept, decline, remove, a mutual request
// making friends at once, FRIENDS_MAX on each side; the friendship is the same seen from both
// sides. Every refusal has its code and changes nothing; a repeated operation id applies once.
import t from "tap";
import { FRIENDS_MAX } from "../../common/protocol/social.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { refusal } from "../harness/refusal.ts";

t.test("friends - request, accept, decline, remove and the limit, the same from both sides", async (t) => {
  const pair = await DatabasePair.start(t);
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  const db = pair.client;
  const [ann, bea, cid, dag] = (await Promise.all(["Annika", "Beatrix", "Cidonie", "Dagobert"].map((n, i) => db.createCharacter(`acct-${i}`, n, 1, 1)))).map((c) => c.id);
  const seen = async (id: string): Promise<Record<string, string>> => Object.fromEntries((await db.loadSocial(id)).friends.map((f) => [f.characterId, f.state]));

  t.equal(await refusal(db.friend({ characterId: ann!, action: "request", target: "C-ghost" })), "not-found", "an unknown target");
  t.equal(await refusal(db.friend({ characterId: ann!, action: "request", target: ann! })), "self");

  t.same(await db.friend({ characterId: ann!, action: "request", target: bea! }), [{ characterId: bea, name: "Beatrix", state: "requested" }]);
  t.same(await seen(bea!), { [ann!]: "asked" }, "the other side sees the request");
  t.same(await db.friend({ characterId: ann!, action: "request", target: bea! }), [{ characterId: bea, name: "Beatrix", state: "requested" }], "asking again changes nothing");
  t.same(await db.friend({ characterId: bea!, action: "request", target: ann! }), [{ characterId: ann, name: "Annika", state: "friend" }], "a mutual request makes friends");
  t.same(await seen(ann!), { [bea!]: "friend" });
  t.equal(await refusal(db.friend({ characterId: ann!, action: "request", target: bea! })), "already-friends");
  t.equal(await refusal(db.friend({ characterId: ann!, action: "accept", target: bea! })), "already-friends");

  // accept and decline need the other to have asked
  t.equal(await refusal(db.friend({ characterId: ann!, action: "accept", target: cid! })), "not-invited");
  await db.friend({ characterId: cid!, action: "request", target: ann! });
  t.equal(await refusal(db.friend({ characterId: cid!, action: "accept", target: ann! })), "not-invited", "the asker cannot accept its own request");
  await db.friend({ characterId: ann!, action: "decline", target: cid! });
  t.same(await seen(cid!), {}, "declined: gone from both sides");
  t.equal(await refusal(db.friend({ characterId: ann!, action: "decline", target: cid! })), "not-invited");
  await db.friend({ characterId: cid!, action: "request", target: ann! });
  await db.friend({ characterId: ann!, action: "accept", target: cid! });
  t.same(await seen(cid!), { [ann!]: "friend" });
  await db.friend({ characterId: ann!, action: "remove", target: cid! });
  t.same(await seen(cid!), {}, "removed: gone from both sides");
  t.equal(await refusal(db.friend({ characterId: ann!, action: "remove", target: cid! })), "not-found");

  // idempotent
  const once = await db.friend({ characterId: dag!, action: "request", target: ann! }, "friend-op-once");
  t.same(await db.friend({ characterId: dag!, action: "request", target: ann! }, "friend-op-once"), once, "a repeat returns the first result");
  t.equal(await refusal(db.friend({ characterId: dag!, action: "remove", target: ann! }, "friend-op-once")), "op-id-reused");

  // FRIENDS_MAX: requests out, then friends
  const crowd: string[] = [];
  for (let i = 0; i <= FRIENDS_MAX; i += 10) {
    const batch = await Promise.all(Array.from({ length: 10 }, (_, j) => db.createCharacter(`crowd-${i + j}`, `Crowd ${String.fromCharCode(97 + i / 10)} ${String.fromCharCode(97 + j)}`, 1, 1)));
    crowd.push(...batch.map((c) => c.id));
  }
  const [extra, ...hundred] = crowd.slice(0, FRIENDS_MAX + 1);
  const ed = (await db.createCharacter("acct-ed", "Edeltraud", 1, 1)).id;
  await Promise.all(hundred.map((c) => db.friend({ characterId: ed, action: "request", target: c })));
  t.equal(await refusal(db.friend({ characterId: ed, action: "request", target: extra! })), "too-many-friends", `at most ${FRIENDS_MAX} requests out`);
  await Promise.all(hundred.map((c) => db.friend({ characterId: c, action: "accept", target: ed })));
  t.equal((await db.loadSocial(ed)).friends.filter((f) => f.state === "friend").length, FRIENDS_MAX);
  await db.friend({ characterId: extra!, action: "request", target: ed });
  t.equal(await refusal(db.friend({ characterId: ed, action: "accept", target: extra! })), "too-many-friends", `at most ${FRIENDS_MAX} friends`);
  t.same(await seen(extra!), { [ed]: "requested" }, "the refused accept left the request as it was");

  const check = await db.check();
  t.equal(check.problems, 0, `the invariants hold ${check.sample.join("; ")}`);
});
