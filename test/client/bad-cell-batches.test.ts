// A node of the realm's mesh that publishes broken cell batches (cut short, a length past the end,
// a quarter megabyte of noise) must not stop a client node: each is dropped, the log says so at the 1st,
// 2nd, 4th... with the count, and the players on the node keep getting their frames.
import t from "tap";
import * as zmq from "zeromq";
import { meshIdentity } from "../../common/mesh/realm-mesh.ts";
import { Op } from "../../common/opcodes.ts";
import { findNode, type InstanceSpec } from "../../common/topology.ts";
import { batchTopic } from "../../common/world-address.ts";
import { ClientWorld } from "../harness/client-world.ts";
import { until } from "../harness/realm.ts";

const CLIENT = "CLIENT-1";
/** A pool node this test does not start: it speaks with that node's key, as a broken one would. */
const ROGUE = "INSTANCE-2";

function broken(i: number): Buffer {
  const overrun = Buffer.alloc(16);
  overrun.writeUInt32LE(1_000_000_000, 12);
  const kinds = [Buffer.alloc(10), overrun, Buffer.alloc(256 << 10, 0xff)];
  return kinds[i % kinds.length]!;
}

t.test("client node - broken cell batches are dropped with a throttled warning; players keep their frames", async (t) => {
  const w = await ClientWorld.start(t, { npcs: 0 });
  const a = await w.player(100, 100, undefined, "a");
  await until("a to see itself", 5000, () => a.bot.view.get(a.entity));

  const spec = findNode(w.config, ROGUE) as InstanceSpec;
  const pub = new zmq.Publisher({ linger: 0, ...meshIdentity(w.config, ROGUE)?.serverOptions() });
  t.teardown(() => pub.close());
  await pub.bind(spec.pub);
  const topic = Buffer.from(batchTopic(CLIENT));
  const warnings = () => w.logOf(CLIENT).split("\n").filter((l) => l.includes('"bad-cell-batch"')).map((l) => JSON.parse(l) as { zone: string; dropped: number });
  // the client node's SUB reconnects to this address within a second; until then PUB drops
  let sent = 0;
  await until("the client node to drop a broken batch", 10_000, async () => {
    await pub.send([topic, broken(sent++)]);
    await new Promise((r) => setTimeout(r, 20));
    return warnings().length > 0 ? true : undefined;
  });
  const before = a.bot.frames.length;
  for (let i = 0; i < 300; i++) await pub.send([topic, broken(i)]);
  const total = sent + 300;
  const powers = Array.from({ length: Math.floor(Math.log2(total)) + 1 }, (_, i) => 2 ** i);
  await until("every broken batch to be read", 10_000, () => (warnings().at(-1)?.dropped === powers.at(-1) ? true : undefined));

  const lines = warnings();
  t.ok(lines.every((l) => l.zone === ROGUE), "each warning names the node that sent it");
  t.same(lines.map((l) => l.dropped), powers, `${total} broken batches, ${lines.length} log lines: the 1st, 2nd, 4th...`);
  await a.bot.waitFrames(10);
  t.ok(a.bot.frames.length > before, "the player kept getting frames");
  t.equal(a.bot.closed, undefined, "and was not closed");
  t.ok((await w.wire.request(CLIENT, Op.PING, {}, 2000)) !== undefined, "the client node answers");
  t.notOk(w.logOf(CLIENT).includes('"level":"error"'), "no error logged");
  a.bot.close();
});
