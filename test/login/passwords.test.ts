import t from "tap";
import { SHIPPED_SCRYPT, UNKNOWN_ACCOUNT_SECRET, hashPassword, verifyPassword } from "../../common/accounts/passwords.ts";

t.test("passwords - scrypt with a fresh salt per hash and the cost stored beside it", async (t) => {
  t.ok(SHIPPED_SCRYPT.N >= 2 ** 14 && SHIPPED_SCRYPT.r >= 8 && SHIPPED_SCRYPT.p >= 1, "shipped cost at least N=2^14, r=8, p=1");
  const cheap = { N: 2 ** 10, r: 8, p: 1 };
  const a = await hashPassword("same password", cheap);
  const b = await hashPassword("same password", cheap);
  t.notSame(a.salt, b.salt, "a salt per hash");
  t.notSame(a.hash, b.hash, "so equal passwords hash differently");
  t.match(a, { N: 1024, r: 8, p: 1 }, "the cost travels with the hash");
  t.equal(await verifyPassword("same password", a), true);
  t.equal(await verifyPassword("same passwor", a), false);
  t.equal(await verifyPassword("same password", { ...a, N: 2 ** 11 }), false, "checked with its own stored cost");
  t.equal(await verifyPassword("same password", { ...a, hash: a.hash.subarray(0, 16) }), false, "a truncated hash never matches");
  t.equal(await verifyPassword("", UNKNOWN_ACCOUNT_SECRET), false, "the stand-in for unknown names matches nothing");
});

t.test("passwords - hashing runs off the event loop", async (t) => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await Promise.all([hashPassword("a", SHIPPED_SCRYPT), hashPassword("b", SHIPPED_SCRYPT)]);
  clearInterval(timer);
  t.ok(ticks > 5, `the loop kept turning while two shipped-cost hashes ran (${ticks} timer ticks)`);
});
