// A zone killed with -9 comes back empty; the realm node puts its players back where their last
// checkpoints left them, and they play on through the same client nodes.
import t from "tap";
import { DatabaseClient } from "../../common/db-client.ts";
import { createLog } from "../../common/log.ts";
import { Op } from "../../common/opcodes.ts";
import { PlayerOp } from "../../common/player-opcodes.ts";
import { realmWire } from "../../common/mesh/realm-mesh.ts";
import { createAccounts, login, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { until } from "../harness/realm.ts";

t.test("zone restart - after kill -9 the players are back from their last checkpoints", async (t) => {
  const realm = await startFrontDoor(t, {
    kinds: ["login", "realm", "client", "zone", "database"],
    edit: (doc) => (doc.realms[0].checkpoint_every = "1s"),
  });
  const spec = realm.config.realms[0]!;
  const [w, h] = [spec.world.width, spec.world.height];
  const [name] = await createAccounts(postgresOf(t, realm), "survivor", 1, "correct horse");
  const answer = await login(realm.config.login.nodes[0]!, name!, "correct horse");
  const bot = await PlayerBot.connect(answer.body.client, name);
  t.teardown(() => bot.ws.terminate());
  await bot.hello(answer.body.session);
  bot.send({ op: PlayerOp.CMSG_CHAR_CREATE, name: "Phoenix" });
  const character = await until("the character", 8000, () => {
    const m = bot.messages.find((x) => x.op === PlayerOp.SMSG_CHAR_CREATED);
    return m?.op === PlayerOp.SMSG_CHAR_CREATED ? m.character : undefined;
  });
  const entity = (await bot.select(character.id)).entity;
  const self = await until("the player in its own view", 10_000, () => bot.view.get(entity));
  const x0 = (self.qx * w) / 65535;
  const y0 = (self.qy * h) / 65535;
  for (let step = 1; step <= 10; step++) {
    bot.move(x0 + step * 0.3, y0, w, h);
    await bot.waitFrames(1);
  }

  const wire = realmWire(realm.config, `test-${process.pid}`, createLog("test", "error"));
  t.teardown(() => wire.close());
  const db = new DatabaseClient(wire, spec.database.id);
  const saved = await until("a checkpoint after the walk", 10_000, async () => {
    const c = await db.loadCharacter(character.id);
    return Math.abs(c.x - (x0 + 3)) < 0.01 ? c : undefined;
  });
  t.ok(saved.version > 0, `checkpoint version ${saved.version} holds the walk`);

  const zoneId = (await until("the zone holding the player", 5000, async () => {
    for (const z of spec.zones) {
      const truth = await wire.request(z.id, Op.ZONE_TRUTH_REQUEST, {}, 1000);
      if (truth.entities.some((e) => e.entity === entity)) return z.id;
    }
    return undefined;
  }))!;
  const before = (await realm.node(zoneId))!;
  process.kill(before.pid!, "SIGKILL");
  const killedAt = Date.now();
  const back = await until("the player back in the restarted zone", 20_000, async () => {
    const truth = await wire.request(zoneId, Op.ZONE_TRUTH_REQUEST, {}, 500).catch(() => undefined);
    return truth?.entities.find((e) => e.entity === entity);
  });
  t.comment(`back in ${zoneId} ${Date.now() - killedAt} ms after its kill -9`);
  t.ok(Math.abs(back.x - saved.x) < 0.01 && Math.abs(back.y - saved.y) < 0.01, "where the last checkpoint left it");
  t.ok((await realm.node(zoneId))!.restarts >= 1, "the reviver restarted the zone");

  bot.move(saved.x + 0.3, saved.y, w, h);
  await until("the player moving again", 5000, () => {
    const e = bot.view.get(entity);
    return e && Math.abs((e.qx * w) / 65535 - (saved.x + 0.3)) < 0.2 ? true : undefined;
  });
  t.pass("it plays on through the same client node");
});
