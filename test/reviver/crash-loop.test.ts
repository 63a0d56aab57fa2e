// A node that cannot start (its port is taken) is given up on, loudly, with the reason; the
// rest of the realm stays up.
import net from "node:net";
import t from "tap";
import { freePorts } from "../harness/free-ports.ts";
import { TestRealm, until } from "../harness/realm.ts";

t.test("reviver - a crash-looping node ends given-up with a clear reason, the rest stays up", async (t) => {
  const [port] = await freePorts(1);
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
  // other client nodes connect to CLIENT-2's inbox (load reports): close() would wait on them forever
  const sockets = new Set<net.Socket>();
  squatter.on("connection", (socket) => sockets.add(socket));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        squatter.close(() => resolve());
      }),
  );

  const realm = await TestRealm.start(t, {
    edit: (doc) => {
      doc.client_nodes[1].inbox = `tcp://127.0.0.1:${port}`;
    },
  });
  const reply = await realm.waitFor("CLIENT-2 given up and the rest up", 60_000, (nodes) =>
    nodes.every((n) => (n.id === "CLIENT-2" ? n.state === "given-up" : n.state === "up")),
  );
  const client = reply.nodes.find((n) => n.id === "CLIENT-2")!;
  t.comment(`CLIENT-2: ${client.reason}`);
  t.match(client.reason ?? "", /gave up after 5 crashes in 60 s/);
  t.match(client.reason ?? "", new RegExp(`cannot bind inbox tcp://127.0.0.1:${port}: .*in use`, "i"), "the reason names the taken address");
  t.equal(client.restarts, 4, "four restarts were tried before giving up");
  t.ok(client.history.length === 4 && client.history.every((h) => h.cause === "exit code 1"), "each restart's cause is the node's own exit");
  const said = await until("realm start to report it", 3000, () =>
    /"level":"error","event":"node-state","id":"CLIENT-2".*"state":"given-up"/.test(realm.output) ? true : undefined,
  );
  t.ok(said, "realm start reports the give-up as an error line");

  const later = await realm.waitFor("a later look", 5000, () => true);
  t.ok(later.nodes.filter((n) => n.id !== "CLIENT-2").every((n) => n.state === "up"), "every other node is still up");
  t.equal(later.nodes.find((n) => n.id === "CLIENT-2")?.state, "given-up", "it stays given up");
});
