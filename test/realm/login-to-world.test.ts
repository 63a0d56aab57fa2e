// The whole path a player takes: log in over HTTP, open the WebSocket the login answer names,
// create and select a character, stand in the world, and see another player walk.
import t from "tap";
import { createAccounts, login, postgresOf, startFrontDoor } from "../harness/front-door.ts";
import { PlayerBot } from "../harness/player-bot.ts";
import { createCharacter } from "../harness/players.ts";
import { until } from "../harness/realm.ts";

t.test("realm - two players log in, enter the world through their client nodes and see each other move", async (t) => {
  const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "database"] });
  const [w, h] = [realm.config.realms[0]!.world.width, realm.config.realms[0]!.world.height];
  const names = await createAccounts(postgresOf(t, realm), "walker", 2, "correct horse");
  const bots: PlayerBot[] = [];
  for (const [i, name] of names.entries()) {
    const answer = await login(realm.config.login.nodes[i % 2]!, name, "correct horse");
    t.equal(answer.status, 200, `${name} logs in`);
    const bot = await PlayerBot.connect(answer.body.client, name);
    t.teardown(() => bot.ws.terminate());
    await bot.hello(answer.body.session);
    const create = (character: string) => createCharacter(bot, character);
    // new characters start at the zones' centres in turn: the second account's second character
    // starts where the first account's does
    if (i === 1) await create("Cato");
    const created = await create(i === 0 ? "Aria" : "Borin");
    const entered = await bot.select(created.id);
    t.ok(entered.entity > 0, `${name}'s character stands in the world as entity ${entered.entity}`);
    bots.push(bot);
  }
  const [a, b] = bots as [PlayerBot, PlayerBot];
  const bId = b.entered!.entity;
  const self = await until("B to see itself", 10_000, () => b.view.get(bId));
  await until("A to see B", 10_000, () => a.view.get(bId));
  const x0 = (self.qx * w) / 65535;
  const y0 = (self.qy * h) / 65535;
  for (let step = 1; step <= 10; step++) {
    b.move(x0 + step * 0.3, y0, w, h);
    await b.waitFrames(1);
  }
  const near = (bot: PlayerBot): true | undefined => {
    const e = bot.view.get(bId);
    return e && Math.abs((e.qx * w) / 65535 - (x0 + 3)) < 0.2 ? true : undefined;
  };
  await until("B's walk in B's own view", 5000, () => near(b));
  await until("B's walk in A's view", 5000, () => near(a));
  t.pass("B walked 3 units and both players' views agree");
});
