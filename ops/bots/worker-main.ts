// The entry of a bots worker process, forked by `realm bots` (ops/bots/run.ts) with the tsx
// loader. It acts only on its parent's word, and exits when the parent goes away.
import type { FromWorker, ToWorker } from "./ipc.ts";
import { BotWorker } from "./worker.ts";

const send = (m: FromWorker): void => {
  if (process.connected) process.send?.(m);
};

let worker: BotWorker | undefined;
let stopping = false;

// Ctrl-C reaches the whole process group: the parent decides when the bots stop
process.on("SIGINT", () => {});
// the parent died or closed the channel: nobody is left to report to
process.on("disconnect", () => process.exit(0));

process.on("message", (m: ToWorker) => {
  if (m.type === "start" && !worker) {
    worker = new BotWorker(m.spec, send);
    worker.start();
  } else if (m.type === "measure") {
    worker?.measure();
  } else if (m.type === "stop" && !stopping) {
    stopping = true;
    void (async () => {
      if (!worker || !process.connected) return process.exit(0);
      const result = await worker.stop();
      // exit only once the (large) report has left
      process.send?.({ type: "final", result } satisfies FromWorker, undefined, undefined, () => process.exit(0));
    })();
  }
});
