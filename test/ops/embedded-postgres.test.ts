// The embedded PostgreSQL that `realm start` runs: a server that cannot start fails the start
// with the step and PostgreSQL's own last words, and leaves no server behind.
import { appendFileSync } from "node:fs";
import path from "node:path";
import t from "tap";
import { createLog } from "../../common/log.ts";
import { startEmbeddedPostgres } from "../../ops/embedded-postgres.ts";
import { tempDir } from "../harness/realm.ts";

t.test("a PostgreSQL that exits while starting fails the start, saying what PostgreSQL said", async (t) => {
  const dataDir = tempDir(t, "embedded-postgres-");
  const log = createLog("test-postgres", "error");
  const first = await startEmbeddedPostgres(dataDir, log);
  await first.stop();
  // a setting the server refuses: it exits at once, before it is ready
  appendFileSync(path.join(dataDir, "postgres", "postgresql.conf"), "\nshared_buffers = 'plenty'\n");
  const err = (await startEmbeddedPostgres(dataDir, log).catch((e: unknown) => e)) as Error;
  t.type(err, Error);
  t.match(err.message, /^PostgreSQL: the server.s start failed \(the server exited\)/, "names the step, and that the server exited");
  t.match(err.message, /shared_buffers/, `quotes PostgreSQL: ${err.message}`);
});
