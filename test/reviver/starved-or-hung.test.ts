// What the kernel says of a silent node's main thread tells a hung node from a starved one: real
// processes stopped, blocked, spinning and starved (on CPU 0 under SCHED_IDLE, beside spinners at
// nice -20), each judged as the reviver judges a node whose heartbeats stopped.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import t from "tap";
import { availableParallelism } from "node:os";
import { hostOverloaded, judgeSilence, overloadedBy, sampleMainThread, Silence } from "../../nodes/reviver/silence.ts";
import type { Teardown } from "../harness/realm.ts";
import { starve } from "../harness/starve.ts";

const WINDOW_MS = 1000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A process running `code` once Node's start is behind it (it says so on stdout, a synchronous
 * write on Linux): on a loaded host that start can outlast a fixed wait, and a thread starved in
 * the middle of it may sleep on a helper thread instead of waiting for a CPU.
 */
async function nodeRunning(t: Teardown, code: string): Promise<ChildProcess> {
  // a session of its own, as a node is (common/launch.ts): starving it must not touch the test's own
  const child = spawn(process.execPath, ["-e", `console.log("up"); ${code}`], { stdio: ["ignore", "pipe", "ignore"], detached: true });
  t.teardown(() => {
    child.kill("SIGKILL");
  });
  await once(child.stdout!, "data");
  await sleep(300);
  return child;
}

/** Samples at the start and the end of a silence, as the supervisor does. */
async function judged(pid: number) {
  const silence = new Silence();
  silence.overdue(pid, Date.now());
  await sleep(WINDOW_MS);
  return silence.judge(pid, Date.now());
}

t.test("silence - a stopped, a blocked and a spinning node are hung; a starved one is not", async (t) => {
  // an event loop with timers due, like a node's heartbeat: runnable whenever a timer expires
  const idleLoop = "setInterval(() => {}, 20)";

  const stopped = await nodeRunning(t, idleLoop);
  process.kill(stopped.pid!, "SIGSTOP");
  t.match(await judged(stopped.pid!), { verdict: "hung" }, "stopped (SIGSTOP): hung");
  t.equal(sampleMainThread(stopped.pid!)?.state, "T");

  const blocked = await nodeRunning(t, "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)");
  t.match(await judged(blocked.pid!), { verdict: "hung" }, "blocked forever (the event loop never turns): hung");

  const spinning = await nodeRunning(t, "for (;;);");
  const spun = await judged(spinning.pid!);
  t.equal(spun.verdict, "hung", `spinning in a loop with a CPU to itself: hung (ran ${Math.round((spun.runShare ?? 0) * 100)} % of the time)`);

  const starved = await nodeRunning(t, idleLoop);
  const stopStarving = starve(t, starved.pid!);
  await sleep(300);
  const verdict = await judged(starved.pid!);
  t.equal(verdict.verdict, "starved", `runnable and barely running: starved (ran ${((verdict.runShare ?? 0) * 100).toFixed(2)} % of the time)`);
  t.equal(sampleMainThread(starved.pid!)?.state, "R", "it wants a CPU all along");
  process.kill(starved.pid!, "SIGSTOP");
  stopStarving();
  t.match(await judged(starved.pid!), { verdict: "hung" }, "the same process, stopped after: hung");

  t.equal(sampleMainThread(2 ** 22 + 1), undefined, "a process that is not there: no sample (the supervisor looks at the process table)");
});

t.test("silence - judging needs a window: shorter than 0.4 s it stays undecided, unless the thread is not runnable", async (t) => {
  const first = { at: 0, state: "R", runMs: 0 };
  t.same(judgeSilence(first, { at: 300, state: "R", runMs: 1 }), { verdict: "undecided" });
  t.same(judgeSilence(first, { at: 300, state: "T", runMs: 0 }), { verdict: "hung" });
  t.same(judgeSilence(first, { at: 1000, state: "R", runMs: 900 }), { verdict: "hung", runShare: 0.9 });
  t.same(judgeSilence(first, { at: 1000, state: "R", runMs: 10 }), { verdict: "starved", runShare: 0.01 });
  t.same(judgeSilence(first, { at: 1000, state: "S", runMs: 10 }), { verdict: "hung" }, "asleep and silent on a quiet host: no heartbeat is coming (deadlock, lost link)");
});

t.test("silence - on an overloaded host, a thread asleep after running is starved: its heartbeat may wait on a starved I/O thread", async (t) => {
  const first = { at: 0, state: "S", runMs: 0 };
  t.same(judgeSilence(first, { at: 1000, state: "S", runMs: 10 }, true), { verdict: "starved", runShare: 0.01 });
  t.same(judgeSilence(first, { at: 1000, state: "S", runMs: 400 }, true), { verdict: "starved", runShare: 0.4 }, "however much it ran: it sleeps, so it does not spin");
  t.same(judgeSilence(first, { at: 1000, state: "S", runMs: 0 }, true), { verdict: "hung" }, "asleep and never run since: blocked, whatever the load");
  t.same(judgeSilence(first, { at: 1000, state: "T", runMs: 10 }, true), { verdict: "hung" }, "stopped: hung, whatever the load");
  t.same(judgeSilence(first, { at: 300, state: "S", runMs: 10 }, true), { verdict: "undecided" });
});

t.test("silence - the host is overloaded while more tasks are runnable than it has CPUs, the reviver aside", async (t) => {
  t.equal(overloadedBy("0.50 0.40 0.30 3/85 7774", 2), false, "itself and two more on two CPUs: not overloaded");
  t.equal(overloadedBy("9.10 5.00 2.00 4/85 7774", 2), true, "itself and three more on two CPUs: overloaded");
  t.equal(overloadedBy("garbage", 2), false, "an unreadable line says nothing");

  const spinners = Array.from({ length: availableParallelism() + 3 }, () => nodeRunning(t, "for (;;);"));
  let seen = false;
  for (let i = 0; i < 40 && !seen; i++) {
    await sleep(50);
    seen = hostOverloaded();
  }
  t.ok(seen, `${spinners.length} spinning processes on ${availableParallelism()} CPUs: overloaded`);
});
