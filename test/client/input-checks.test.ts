// Input checks: garbage, oversized frames, floods, text frames, bad handshakes and teleport
// hacks are each closed with their documented code, while a neighbour on the same client node
// keeps getting its frame every tick and keeps walking.
import t from "tap";
import { CloseCode, PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import { encodeClient } from "../../common/player-codec.ts";
import { ClientWorld } from "../harness/client-world.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until, type Teardown } from "../harness/realm.ts";

/** SIGSTOPs the process until the returned function (or the test's teardown) resumes it. */
function stopProcess(t: Teardown, pid: number): () => void {
  process.kill(pid, "SIGSTOP");
  let resumed = false;
  const resume = (): void => {
    if (!resumed) process.kill(pid, "SIGCONT");
    resumed = true;
  };
  t.teardown(resume);
  return resume;
}

t.test("client input checks - abusers are closed with their reason; the neighbour notices nothing", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000 });
  const size = w.realm.world.width;
  const neighbour = await w.player(200, 200, undefined, "neighbour");
  const inWorld = async (label: string, x: number): Promise<PlayerBot> => (await w.player(x, 210, undefined, label)).bot;

  // the neighbour walks the whole time; its frames are timed
  let nx = 200;
  const walking = setInterval(() => {
    nx += 0.25;
    neighbour.bot.move(nx, 200, size, size);
  }, 50);
  t.teardown(() => clearInterval(walking));
  await neighbour.bot.waitFrames(10);
  const from = neighbour.bot.frames.length;

  const cases: { label: string; code: number; act: (b: PlayerBot) => void; before?: "handshake"; reason?: RegExp }[] = [
    { label: "unknown opcode", code: CloseCode.UNKNOWN_OPCODE, act: (b) => b.raw(Buffer.from([0xee, 1, 2, 3])) },
    { label: "oversized frame", code: CloseCode.FRAME_TOO_LARGE, act: (b) => b.raw(Buffer.concat([Buffer.from([PlayerOp.CMSG_SAY]), Buffer.alloc(4000, 0x41)])) },
    { label: "flood", code: CloseCode.FLOOD, act: (b) => { for (let i = 0; i < 300; i++) b.ping(); } },
    { label: "text frame", code: CloseCode.TEXT_FRAME, act: (b) => b.raw("hello") },
    { label: "truncated move", code: CloseCode.MALFORMED, act: (b) => b.raw(Buffer.from([PlayerOp.CMSG_MOVE, 1, 2])) },
    { label: "trailing bytes", code: CloseCode.MALFORMED, act: (b) => b.raw(Buffer.concat([encodeClient({ op: PlayerOp.CMSG_LEAVE }), Buffer.from([9])])) },
    {
      label: "teleport hack",
      code: CloseCode.IMPLAUSIBLE_MOVEMENT,
      act: (b) => {
        for (let i = 0; i < 8; i++) b.move(i % 2 === 0 ? 900 : 100, 900, size, size);
      },
    },
    { label: "world message as first frame", code: CloseCode.BAD_HANDSHAKE, before: "handshake", act: (b) => b.move(10, 10, size, size) },
    { label: "a version 1 client", code: CloseCode.UNSUPPORTED_VERSION, before: "handshake", act: (b) => b.send({ op: PlayerOp.CMSG_HELLO, version: 1, session: "x" }) },
    // version 2 would misread every SMSG_WORLD of version 3's delta header: refused, the reason naming the version served
    { label: "a version 2 client", code: CloseCode.UNSUPPORTED_VERSION, before: "handshake", reason: /speaks 3/, act: (b) => b.send({ op: PlayerOp.CMSG_HELLO, version: 2, session: "x" }) },
    { label: "wrong protocol version", code: CloseCode.UNSUPPORTED_VERSION, before: "handshake", act: (b) => b.send({ op: PlayerOp.CMSG_HELLO, version: PLAYER_PROTOCOL_VERSION + 9, session: "x" }) },
    { label: "unknown session", code: CloseCode.SESSION_REFUSED, before: "handshake", act: (b) => b.send({ op: PlayerOp.CMSG_HELLO, version: PLAYER_PROTOCOL_VERSION, session: "not-a-session" }) },
    { label: "unknown reconnect token", code: CloseCode.RESUME_REFUSED, before: "handshake", act: (b) => b.send({ op: PlayerOp.CMSG_RESUME, version: PLAYER_PROTOCOL_VERSION, token: new Uint8Array(32) }) },
  ];
  let x = 205;
  for (const c of cases) {
    const bot = c.before === "handshake" ? await PlayerBot.connect(w.url(), c.label) : await inWorld(c.label, (x += 3));
    c.act(bot);
    const closed = await bot.waitClosed(5000);
    t.equal(closed.code, c.code, `${c.label}: closed with ${c.code} (${closed.reason})`);
    if (c.reason) t.match(closed.reason, c.reason, `${c.label}: the reason names the version served`);
  }
  const idle = await PlayerBot.connect(w.url(), "silent");
  const closed = await idle.waitClosed(8000);
  t.equal(closed.code, CloseCode.HANDSHAKE_TIMEOUT, `a connection that never says hello is closed (${closed.reason})`);

  // the neighbour: never closed, a frame every tick, its walk applied all along
  await neighbour.bot.waitFrames(5);
  const frames = neighbour.bot.frames.slice(from);
  let worstGap = 0;
  for (let i = 1; i < frames.length; i++) worstGap = Math.max(worstGap, frames[i]!.at - frames[i - 1]!.at);
  const seconds = (frames.at(-1)!.at - frames[0]!.at) / 1000;
  t.equal(neighbour.bot.closed, undefined, "the neighbour was never closed");
  t.ok(frames.length >= seconds * 20 * 0.9, `the neighbour got ${frames.length} frames in ${seconds.toFixed(1)} s (20 Hz)`);
  t.ok(worstGap < 250, `its longest gap between frames was ${worstGap} ms`);
  const me = await until("the neighbour's walk in its own view", 3000, () => {
    const v = neighbour.bot.view.get(neighbour.entity);
    return v && Math.abs(w.q.x(v.qx) - nx) < 1 ? v : undefined;
  });
  t.ok(me, "the neighbour's moves kept being applied by its zone");
  neighbour.bot.close();
});

t.test("client input checks - moves sent before a correction was applied are dropped, not taken for teleports", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000 });
  const size = w.realm.world.width;
  const { bot, entity } = await w.player(500, 500, undefined, "hasty");
  const q = (v: number) => Math.round((v * 65535) / size);
  const move = (x: number, seq: number, corrections: number) => bot.send({ op: PlayerOp.CMSG_MOVE, qx: q(x), qy: q(500), heading: 0, seq, corrections });
  const corrections = () => bot.messages.filter((m) => m.op === PlayerOp.SMSG_CORRECT);
  // 20 units at once: within the client node's plausible speed, faster than the character can walk
  move(520, 1, 0);
  const fix = await until("the zone's correction", 5000, () => {
    const m = corrections()[0];
    return m?.op === PlayerOp.SMSG_CORRECT ? m : undefined;
  });
  t.equal(fix.seq, 1, "the correction names the last move the node had");
  // what a client far away still had in flight: each 40 units from the last, from the refused place
  for (let i = 1; i <= 8; i++) move(520 + 40 * i, 1 + i, 0);
  move(w.q.x(fix.qx) + 0.5, 10, 1);
  await bot.waitFrames(10);
  t.equal(bot.closed, undefined, "not closed for implausible movement");
  t.equal(corrections().length, 1, "the stale moves never reached the zone: no more corrections");
  const me = await until("the move after the correction applied", 3000, () => {
    const v = bot.view.get(entity);
    return v && Math.abs(w.q.x(v.qx) - (w.q.x(fix.qx) + 0.5)) < 0.1 ? v : undefined;
  });
  t.ok(me, "the move that carried the new count was applied");
  bot.close();
});

t.test("client input checks - what a player sent while its client node was stopped is neither a flood nor a teleport", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000 });
  const size = w.realm.world.width;
  const { bot } = await w.player(500, 500, undefined, "held back");
  const node = w.children.get(w.config.clientNodes[0]!.id)!;
  // the node starved of CPU for 3 s: the player's ten moves a second, and a ping now and then, wait
  // unread; 120 messages is more than the burst of 80 allowed, 72 units more than one second banked
  const resume = stopProcess(t, node.pid!);
  for (let i = 1; i <= 120; i++) {
    bot.move(500 + 0.6 * i, 500, size, size);
    if (i % 20 === 0) bot.ping();
  }
  await new Promise((r) => setTimeout(r, 3000));
  resume();
  await bot.waitFrames(10);
  t.equal(bot.closed, undefined, "not closed for flooding or implausible movement");
  const corrected = await until("the zone's correction", 3000, () => bot.messages.find((m) => m.op === PlayerOp.SMSG_CORRECT));
  t.ok(corrected, "the zone, which holds the character to its own speed, corrected what it could not allow");
  // right after, the same pile-up with the node running is a flood
  for (let i = 0; i < 130; i++) bot.ping();
  t.equal((await bot.waitClosed()).code, CloseCode.FLOOD, "the same burst from a node that was reading is a flood");
});

t.test("client input checks - an honest walk that a stopped client node forwards late is not corrected by the zone", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000 });
  const size = w.realm.world.width;
  const { bot, entity } = await w.player(500, 500, undefined, "walker");
  const node = w.children.get(w.config.clientNodes[0]!.id)!;
  // 6 units a second (the character's speed is 7), a move every 100 ms, for 5 s
  let x = 500;
  const walking = setInterval(() => bot.move((x += 0.6), 500, size, size), 100);
  t.teardown(() => clearInterval(walking));
  await new Promise((r) => setTimeout(r, 1000));
  // 3 s of the walk wait unread, then reach the zone in one batch: 18 units, the zone banks 7
  const resume = stopProcess(t, node.pid!);
  await new Promise((r) => setTimeout(r, 3000));
  resume();
  await new Promise((r) => setTimeout(r, 1000));
  clearInterval(walking);
  await bot.waitFrames(10);
  t.equal(bot.closed, undefined, "not closed");
  t.same(bot.messages.filter((m) => m.op === PlayerOp.SMSG_CORRECT), [], "no correction: the node said how long it was stopped, and the zone earned the walker that time");
  const me = await until("the whole walk in the walker's view", 3000, () => {
    const v = bot.view.get(entity);
    return v && Math.abs(w.q.x(v.qx) - x) < 0.5 ? v : undefined;
  });
  t.ok(me, `the walker stands where it walked to (${x.toFixed(1)})`);
});
