// Log lines: `node` is always the node that writes the line, and errors carry their code and stack.
import t from "tap";
import { createLog, errorFields } from "../../common/log.ts";

/** The lines `write` logs, read off stdout while it runs. */
function linesOf(write: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const real = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as typeof process.stdout.write;
  try {
    write();
  } finally {
    process.stdout.write = real;
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

t.test("log - a field called node cannot make a line name another node", async (t) => {
  const log = createLog("FORTRAX-REALM");
  const [line] = linesOf(() => log.info("client-node-lost", { node: "CLIENT-2", level: "debug", why: "test" }));
  t.match(line, { node: "FORTRAX-REALM", level: "info", event: "client-node-lost", why: "test" });
  t.same(line?.shadowed, { node: "CLIENT-2", level: "debug" }, "the shadowed fields are kept, under their own key");
  t.same(Object.keys(line ?? {}).slice(0, 4), ["t", "node", "level", "event"], "the envelope stays first");
});

t.test("log - errors are written with message, code and stack", async (t) => {
  const err = Object.assign(new Error("connect ECONNREFUSED (the database is down)"), { code: "ECONNREFUSED" });
  t.match(errorFields(err), { error: "connect ECONNREFUSED (the database is down)", code: "ECONNREFUSED", stack: /^Error: connect ECONNREFUSED[^]*log\.test\.ts/ });
  t.same(errorFields("plain words"), { error: "plain words" }, "a thrown non-error is its text");
  const log = createLog("LOGIN-1");
  const [direct, nested] = linesOf(() => {
    log.error("request-failed", { error: err, url: "/login" });
    log.warn("audit-send-failed", { cause: err });
  });
  t.match(direct, { node: "LOGIN-1", error: err.message, code: "ECONNREFUSED", stack: /log\.test\.ts/, url: "/login" }, "an Error under `error` spreads into error, code, stack");
  t.match(nested, { cause: { error: err.message, code: "ECONNREFUSED", stack: /log\.test\.ts/ } }, "an Error anywhere else keeps them too");
});
