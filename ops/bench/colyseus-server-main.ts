// A Colyseus 0.18 server for the peer benchmark, in its own process so its CPU can be read apart:
// `node --import tsx ops/bench/colyseus-server-main.ts <port>`. Prints a `listening` line when it
// accepts; each `stats` line on stdin is answered with a `stats` line; it exits when stdin closes
// (so it never outlives the benchmark that started it).
import { createInterface } from "node:readline";
import { Server } from "@colyseus/core";
import { WebSocketTransport } from "@colyseus/ws-transport";
import { createLog } from "../../common/log.ts";
import { GridRoom, ROOM_NAME, stats } from "./colyseus-room.ts";

const log = createLog("COLYSEUS-PEER");
const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  log.error("fatal", { error: `usage: colyseus-server-main.ts <port>; got ${JSON.stringify(process.argv[2] ?? null)}` });
  process.exit(2);
}

const server = new Server({ transport: new WebSocketTransport(), greet: false, gracefullyShutdown: false });
server.define(ROOM_NAME, GridRoom);
try {
  await server.listen(port, "127.0.0.1");
} catch (err) {
  log.error("fatal", { error: err });
  process.exit(1);
}
log.info("listening", { port, pid: process.pid });

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim() === "stats") log.info("stats", { ...stats });
  else log.warn("unknown-command", { line: line.slice(0, 80) });
});
input.on("close", () => process.exit(0));
