// The login node's hash gate: a few hashes at a time, the rest in turn, and a login whose turn
// comes too late (its client has given up) answered busy without its hash ever running.
import t from "tap";
import { BusyError, HashGate } from "../../nodes/login/hash-gate.ts";

/** A hash the test finishes by hand, and whether it ever started. */
function pending(): { started: boolean; finish: () => void; run: () => Promise<string> } {
  const h = {
    started: false,
    finish: () => {},
    run: () => {
      h.started = true;
      return new Promise<string>((resolve) => (h.finish = () => resolve("hashed")));
    },
  };
  return h;
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test("hash gate - no more than `parallel` hashes run at once, the others in arrival order", async (t) => {
  const gate = new HashGate({ parallel: 2, maxWaiting: 10, maxWaitMs: 60_000 });
  const hashes = [pending(), pending(), pending(), pending()];
  const results = hashes.map((h) => gate.run(h.run));
  await settle();
  t.same(hashes.map((h) => h.started), [true, true, false, false], "two run, two wait");
  t.equal(gate.inFlight, 4);
  hashes[1]!.finish();
  await settle();
  t.same(hashes.map((h) => h.started), [true, true, true, false], "a freed slot goes to the oldest waiter");
  // the last one starts only when a slot frees: finish the first three, then it
  for (const h of hashes.slice(0, 3)) h.finish();
  await settle();
  hashes[3]!.finish();
  t.same(await Promise.all(results), ["hashed", "hashed", "hashed", "hashed"]);
  t.equal(gate.inFlight, 0);
  t.equal(gate.refused, 0);
});

t.test("hash gate - a login whose turn comes after maxWaitMs is refused busy and never hashed", async (t) => {
  let now = 0;
  const gate = new HashGate({ parallel: 1, maxWaiting: 10, maxWaitMs: 5000, now: () => now });
  const first = pending();
  const late = pending();
  const onTime = pending();
  const firstDone = gate.run(first.run);
  const lateDone = gate.run(late.run);
  now = 4000;
  const onTimeDone = gate.run(onTime.run);
  now = 6000;
  first.finish();
  await t.rejects(lateDone, BusyError, "waited 6 s: busy");
  await settle();
  t.notOk(late.started, "its hash never ran");
  t.ok(onTime.started, "the next waiter, 2 s in line, is hashed");
  onTime.finish();
  t.equal(await onTimeDone, "hashed");
  t.equal(await firstDone, "hashed");
  t.equal(gate.refused, 1);
  t.equal(gate.inFlight, 0, "nothing left holding a slot");
});

t.test("hash gate - past maxWaiting a login is refused at once; a hash that throws frees its slot", async (t) => {
  const gate = new HashGate({ parallel: 1, maxWaiting: 1, maxWaitMs: 60_000 });
  const running = pending();
  const waiting = pending();
  const runningDone = gate.run(running.run);
  const waitingDone = gate.run(waiting.run);
  t.ok(gate.turnsAway(), "full: a login is turned away before it reads anything");
  await t.rejects(gate.run(pending().run), BusyError, "a third has no room");
  running.finish();
  await runningDone;
  await settle();
  waiting.finish();
  t.equal(await waitingDone, "hashed");
  await t.rejects(gate.run(() => Promise.reject(new Error("broken hash"))), /broken hash/, "a hash's own error goes to its caller");
  const after = pending();
  const afterDone = gate.run(after.run);
  await settle();
  t.ok(after.started, "the slot is free again");
  t.notOk(gate.turnsAway(), "room again");
  after.finish();
  await afterDone;
  t.equal(gate.refused, 2, "both refusals counted");
});
