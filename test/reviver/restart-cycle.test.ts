// A realm restart cycle, as `realm restart --in` (and the daily schedule) runs it: players are
// warned at set moments, saved and closed; the realm's nodes stop and start again; everyone logs
// back in and finds their character where it stood, with its gold and items.
import t from "tap";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog } from "../../common/log.ts";
import { CloseCode, NoticeKind, PlayerOp } from "../../common/player-opcodes.ts";
import type { ServerMessage } from "../../common/player-codec.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { nextDaily, RestartCycles } from "../../nodes/reviver/restart-cycle.ts";
import { loadConfig } from "../../config/load.ts";
import { createAccounts, postgresOf, startFrontDoor, waitFrontDoor } from "../harness/front-door.ts";
import { enterWorld, returnToWorld } from "../harness/players.ts";
import { runCli, until } from "../harness/realm.ts";
import { SHIPPED_CONFIG } from "../harness/test-config.ts";

const notices = (messages: ServerMessage[]) => messages.flatMap((m) => (m.op === PlayerOp.SMSG_NOTICE ? [m] : []));

t.test("reviver - realm restart --in: warnings, everyone saved and closed, nodes restarted, everyone back with nothing lost", async (t) => {
  const kinds = ["login", "realm", "client", "zone", "database", "backup"];
  const realm = await startFrontDoor(t, { kinds });
  const spec = realm.config.realms[0]!;
  const wire = realmWire(realm.config, "test-restart", createLog("test", "error"));
  t.teardown(() => wire.close());
  const db = new DatabaseClient(wire, spec.database.id);
  const [nameA, nameB] = (await createAccounts(postgresOf(t, realm), "restarter", 2, "pw")) as [string, string];
  const a = await enterWorld(t, realm, nameA, "pw", ["Alda"]);
  const b = await enterWorld(t, realm, nameB, "pw", ["Bern", "Bryn"], 1);
  await db.grantGold(a.character.id, 50, "test");
  const [item] = await db.grantItems(b.character.id, ["item-102"], "test");

  // an acknowledged trade and a walk just before the restart
  const from = b.bot.messages.length;
  a.bot.send({ op: PlayerOp.CMSG_TRADE_OFFER, target: b.entered.entity, gold: 20, items: [] });
  const offer = await until("the offer", 10_000, () => b.bot.messages.slice(from).find((m) => m.op === PlayerOp.SMSG_TRADE_OFFERED));
  if (offer.op !== PlayerOp.SMSG_TRADE_OFFERED) throw new Error("unreachable");
  b.bot.send({ op: PlayerOp.CMSG_TRADE_ACCEPT, offer: offer.offer, gold: 0, items: [item!] });
  await until("the trade done", 10_000, () => a.bot.messages.find((m) => m.op === PlayerOp.SMSG_TRADE_RESULT && m.ok));
  const { worldWidth: w, worldHeight: h } = a.bot.welcome!;
  const x0 = (a.entered.qx * w) / 65535;
  const y0 = (a.entered.qy * h) / 65535;
  for (let step = 1; step <= 10; step++) {
    a.bot.move(x0 + step * 0.3, y0, w, h);
    await a.bot.waitFrames(1);
  }

  const before = await realm.status();
  const pidOf = (id: string) => before?.nodes.find((n) => n.id === id)?.pid;
  const cycled = [spec.realmNode.id, spec.database.id, spec.backup.id, ...spec.zones.map((z) => z.id)];
  const asked = runCli(["restart", "--config", realm.configFile, "--in", "12s"]);
  t.equal(asked.code, 0, `realm restart answers: ${asked.stdout}${asked.stderr}`);
  t.match(asked.stdout, /restart of Fortrax at/, "and says when");

  for (const bot of [a.bot, b.bot]) {
    const closed = await bot.waitClosed(40_000);
    t.equal(closed.code, CloseCode.REALM_RESTARTING, `${bot.label} closed with REALM_RESTARTING`);
    const warned = notices(bot.messages).filter((n) => n.kind === NoticeKind.RESTART).map((n) => n.seconds);
    t.ok(warned[0] !== undefined && warned[0] >= 10 && warned[0] <= 12, `${bot.label} warned at once (${warned[0]} s)`);
    t.ok(warned.includes(10), `${bot.label} warned 10 s before`);
    t.equal(warned.at(-1), 0, `${bot.label} told it is restarting now`);
  }
  const after = await realm.waitFor("the realm's nodes restarted and up", 60_000, (nodes) =>
    cycled.every((id) => {
      const n = nodes.find((x) => x.id === id);
      return n?.state === "up" && n.pid !== undefined && n.pid !== pidOf(id);
    }),
  );
  const history = after.nodes.filter((n) => cycled.includes(n.id)).flatMap((n) => n.history);
  t.ok(history.length >= cycled.length && history.every((r) => /restart/.test(r.cause)), "status history shows each node's planned restart");
  t.ok(
    after.nodes.filter((n) => n.kind === "client" || n.kind === "login").every((n) => n.pid === pidOf(n.id)),
    "client and login nodes, shared by all realms, keep running",
  );
  await waitFrontDoor(realm, 60_000, kinds);

  const a2 = await returnToWorld(t, realm, nameA, "pw", "Alda");
  const b2 = await returnToWorld(t, realm, nameB, "pw", "Bryn", 1);
  const walletOf = (bot: typeof a2.bot) =>
    until(`${bot.label}'s wallet`, 10_000, () => bot.messages.find((m): m is Extract<ServerMessage, { op: typeof PlayerOp.SMSG_WALLET }> => m.op === PlayerOp.SMSG_WALLET));
  const [wa, wb] = await Promise.all([walletOf(a2.bot), walletOf(b2.bot)]);
  t.same([wa.gold, wa.items.map((i) => i.id)], [30, [item]], "A has its 30 gold and the item it bought");
  t.same([wb.gold, wb.items], [20, []], "B has the 20 gold it was paid");
  const xBack = (a2.entered.qx * w) / 65535;
  t.ok(Math.abs(xBack - (x0 + 3)) < 0.2, `A stands where it walked to (${xBack.toFixed(2)} vs ${(x0 + 3).toFixed(2)})`);
});

t.test("reviver - the daily restart is planned once its warning time comes, and warns first", async (t) => {
  const config = loadConfig(SHIPPED_CONFIG);
  const realmSpec = config.realms[0]!;
  const now = Date.UTC(2026, 10, 23, 3, 59, 58);
  realmSpec.dailyRestart = { atMinute: 4 * 60, warnMs: 300_000 };
  t.equal(nextDaily(4 * 60, now), Date.UTC(2026, 10, 23, 4, 0, 0), "today's 04:00 when it is not past");
  t.equal(nextDaily(3 * 60, now), Date.UTC(2026, 10, 24, 3, 0, 0), "tomorrow's when it is");
  const said: [number, number][] = [];
  const cycled: string[] = [];
  const cycles = new RestartCycles({
    config,
    log: createLog("test", "error"),
    notice: (_realm, kind, seconds) => void said.push([kind, seconds]),
    closePlayers: async () => 0,
    cycleNodes: async (realm) => void cycled.push(realm),
  });
  t.teardown(() => cycles.clear());
  cycles.checkDaily(now - 600_000);
  t.same(said, [], "nothing 10 minutes ahead, with a 5-minute warning");
  cycles.checkDaily(now);
  cycles.checkDaily(now + 500);
  t.same(said, [[NoticeKind.RESTART, 2]], "planned once, with a warning at once");
  await until("the restart", 5000, () => (cycled.length > 0 ? true : undefined));
  t.same(cycled, [realmSpec.name], "the realm's nodes cycled");
  t.same(said.at(-1), [NoticeKind.RESTART, 0], "players told it is happening now");
});
