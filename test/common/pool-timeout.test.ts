// A database that gives no connection in time is told apart from a broken request: the login node
// answers it 503 "overloaded, try again" instead of 500. The server here accepts TCP and never speaks.
import net from "node:net";
import t from "tap";
import { createPool, isPoolTimeout } from "../../common/postgres/connect.ts";

t.test("pool timeout - a silent database's connect timeouts, on the connection and in the pool's queue, are both recognised", async (t) => {
  const silent = net.createServer(() => {}).listen(0, "127.0.0.1");
  t.teardown(() => void silent.close());
  await new Promise((r) => silent.once("listening", r));
  const { port } = silent.address() as net.AddressInfo;
  const pool = createPool(`postgres://realm:secret@127.0.0.1:${port}/realm`, 1);
  t.teardown(() => pool.end().catch(() => {}));
  // one connection allowed: the first query waits on the connect, the second in the pool's queue
  const errors = await Promise.all([pool.query("SELECT 1"), pool.query("SELECT 2")].map((q) => q.then(() => undefined, (err: unknown) => err)));
  for (const err of errors) t.ok(isPoolTimeout(err), `recognised: ${(err as Error).message}`);
  t.notOk(isPoolTimeout(new Error("relation \"accounts\" does not exist")), "a query's own error is not");
  t.notOk(isPoolTimeout("timeout exceeded when trying to connect"), "nor a bare string");
});
