// Reconnects: after kill -9 of a client node its players come back through another client node
// with their reconnect tokens, within 3 s, to a full world state with their characters exactly
// where and how the zone kept them; a dropped connection resumes the same way; a token is spent once.
import t from "tap";
import { Op } from "../../common/opcodes.ts";
import { CloseCode, PLAYER_PROTOCOL_VERSION, PlayerOp } from "../../common/player-opcodes.ts";
import { ClientWorld } from "../harness/client-world.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

const BACK_WITHIN_MS = 3000;

t.test("client failover - kill -9 of a client node: its players are back in game through another within 3 s", async (t) => {
  const w = await ClientWorld.start(t, { clientNodes: 2, npcs: 10, size: 1000 });
  const [c1, c2] = w.config.clientNodes.map((c) => c.id) as [string, string];
  const { q } = w;
  const size = w.realm.world.width;
  const p1 = await w.player(300, 300, c1, "p1");
  const p2 = await w.player(310, 300, c1, "p2");
  const watcher = await w.player(305, 310, c2, "watcher");
  const zone = w.zoneAt(300);
  const truthOf = async (entity: number): Promise<{ x: number; y: number }> => {
    const e = (await w.wire.request(zone, Op.ZONE_TRUTH_REQUEST, {}, 2000)).entities.find((x) => x.entity === entity);
    if (!e) throw new Error(`${zone} does not hold ${entity}`);
    return e;
  };

  // walk a little through CLIENT-1, then stand
  for (let i = 1; i <= 20; i++) {
    p1.bot.move(300 + i * 0.25, 300, size, size);
    p2.bot.move(310, 300 + i * 0.25, size, size);
    await new Promise((r) => setTimeout(r, 50));
  }
  // moves travel quantized (u16 over the world): the zone holds the quantized point
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= q.error + 1e-9;
  const before1 = await until("p1's last step applied", 3000, async () => {
    const at = await truthOf(p1.entity);
    return near(at.x, 305) ? at : undefined;
  });
  const before2 = await truthOf(p2.entity);
  await watcher.bot.waitFrames(5);
  const tokens = [p1.bot.entered!.token, p2.bot.entered!.token];
  const hp = [p1.bot.view.get(p1.entity)!.hp, p2.bot.view.get(p2.entity)!.hp];

  const killedAt = Date.now();
  await w.kill(c1);
  const back = await Promise.all(
    [p1, p2].map(async (p, i) => {
      await p.bot.waitClosed(2000);
      const bot = await PlayerBot.connect(w.url(c2), `${p.bot.label}-again`);
      const entered = await bot.resume(tokens[i]!);
      const me = await until(`${bot.label} sees itself`, BACK_WITHIN_MS, () => bot.view.get(p.entity));
      return { bot, entered, me, ms: Date.now() - killedAt };
    }),
  );
  for (const [i, b] of back.entries()) {
    const p = [p1, p2][i]!;
    const before = [before1, before2][i]!;
    t.ok(b.ms <= BACK_WITHIN_MS, `${p.bot.label} back in the world through ${c2}, seeing itself, ${b.ms} ms after the kill`);
    t.ok(b.entered.resumed && b.entered.entity === p.entity, "resumed as the same character (same entity)");
    t.ok(near(q.x(b.me.qx), before.x) && near(q.y(b.me.qy), before.y), `at the same place (${before.x}, ${before.y}) within quantization`);
    t.equal(b.me.hp, hp[i], "with the same health");
    t.not(Buffer.from(b.entered.token).toString("hex"), Buffer.from(tokens[i]!).toString("hex"), "with a fresh token");
  }
  const other = back[0]!.bot.view.get(p2.entity);
  t.ok(other, "and a full world state: the other player is in the view");
  t.ok(watcher.bot.view.get(p1.entity) && watcher.bot.view.get(p2.entity), "a player on the surviving node never lost sight of them");

  // the zone takes the resumed players' moves once it knows their new client node (ZONE_REATTACH)
  back[0]!.bot.move(306, 300, size, size);
  await until("p1's move after the resume applied", 2000, async () => (near((await truthOf(p1.entity)).x, 306) ? true : undefined));
  t.pass("moves after the resume are applied by the zone");

  // a spent token does not work twice
  const thief = await PlayerBot.connect(w.url(c2), "thief");
  thief.send({ op: PlayerOp.CMSG_RESUME, version: PLAYER_PROTOCOL_VERSION, token: tokens[0]! });
  t.equal((await thief.waitClosed()).code, CloseCode.RESUME_REFUSED, "the old token is spent");

  // a dropped connection (no crash) resumes on the same node with its new token
  const token = back[1]!.entered.token;
  back[1]!.bot.close();
  await until(`${c2} to see the drop`, 3000, () => (w.logOf(c2).includes('"player-dropped"') ? true : undefined));
  const again = await PlayerBot.connect(w.url(c2), "p2-third");
  const entered = await again.resume(token);
  t.ok(entered.resumed && entered.entity === p2.entity, "a dropped player resumes with its token");
  await until("the resumed view to hold the neighbours", 3000, () => (again.view.get(p1.entity) && again.view.get(p2.entity) ? true : undefined));
  t.pass("from a full state");

  // CLIENT-1 comes back knowing no token; when CLIENT-2 dies in turn, its players resume on CLIENT-1
  const briefings = (): number => w.logOf(c2).split('"resume-grants-resent"').length;
  const briefed = briefings();
  w.launch(c1);
  await w.ready(c1);
  await until(`${c2} to brief the restarted ${c1}`, 10_000, () => (briefings() > briefed ? true : undefined));
  const lastTokens = [back[0]!.entered.token, entered.token, watcher.bot.entered!.token];
  await w.kill(c2);
  const survivors = await Promise.all(
    [p1, p2, watcher].map(async (p, i) => {
      const bot = await PlayerBot.connect(w.url(c1), `${p.bot.label}-fourth`);
      return { bot, entered: await bot.resume(lastTokens[i]!), entity: p.entity };
    }),
  );
  t.ok(survivors.every((x) => x.entered.resumed && x.entered.entity === x.entity), `all three resume on the restarted ${c1} after ${c2} dies`);
  for (const b of [back[0]!.bot, again, watcher.bot, thief, ...survivors.map((x) => x.bot)]) b.close();
});

t.test("client failover - a dropped player not back within the grace period: its character leaves the world", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0, size: 1000, edit: (doc) => (doc.realms[0].reconnect_grace = "2s") });
  const p = await w.player(300, 300, undefined, "gone");
  const stays = await w.player(310, 300, undefined, "stays");
  await until("stays sees gone", 3000, () => stays.bot.view.get(p.entity));
  const token = p.bot.entered!.token;
  const droppedAt = Date.now();
  p.bot.close();
  await until("the character to leave the world", 6000, () => (stays.bot.view.get(p.entity) ? undefined : true));
  const after = Date.now() - droppedAt;
  t.ok(after >= 1900, `the character stayed in the world through the grace period (${after} ms)`);
  await until("the realm node to hear of it", 3000, () => (w.left.includes(`acct-${p.entity}`) ? true : undefined));
  t.pass("the realm node got REALM_PLAYER_LEFT");
  const late = await PlayerBot.connect(w.url(), "late");
  late.send({ op: PlayerOp.CMSG_RESUME, version: PLAYER_PROTOCOL_VERSION, token });
  t.equal((await late.waitClosed()).code, CloseCode.RESUME_REFUSED, "the token is no good after the grace period");
  stays.bot.close();
});
