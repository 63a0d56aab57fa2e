// The benchmark suite: `realm bench [name…] [--quick] [--json]`, `npm run bench`.
import path from "node:path";
import { UsageError } from "../../common/errors.ts";
import { createLog } from "../../common/log.ts";
import { configFrom, dataDirOf, options, type Command } from "../command.ts";
import { formatTable, keep, type Bench } from "./bench.ts";
import { databaseBench } from "./database-bench.ts";
import { loginBench } from "./login-bench.ts";
import { wireBench } from "./wire-bench.ts";
import { zoneBench } from "./zone-bench.ts";
import { clientBench } from "./client-bench.ts";
import { peerBench } from "./peer-bench.ts";

const BENCHES: Bench[] = [wireBench, loginBench, zoneBench, databaseBench, clientBench, peerBench];

export const bench: Command = {
  usage: [`bench [name…] [--quick] [--json]    benchmarks: ${BENCHES.map((b) => b.name).join(", ")}`],
  async run(argv) {
    const { values, positionals } = options(argv, { quick: { type: "boolean" }, json: { type: "boolean" } });
    const unknown = positionals.filter((p) => !BENCHES.some((b) => b.name === p));
    if (unknown.length > 0) throw new UsageError(`no benchmark ${unknown.join(", ")} (there are: ${BENCHES.map((b) => b.name).join(", ")})`);
    const chosen = positionals.length > 0 ? BENCHES.filter((b) => positionals.includes(b.name)) : BENCHES;
    const dataDir = dataDirOf(configFrom(values), values.data);
    const log = createLog("bench", "warn");
    const all: Record<string, Record<string, number>> = {};
    for (const b of chosen) {
      const progress = (message: string): void => void process.stderr.write(`[${b.name}] ${message}\n`);
      const result = await b.run({ quick: values.quick ?? false, dataDir, log, progress });
      all[b.name] = result.figures;
      const kept = keep(dataDir, b.name, result);
      if (!values.json) {
        console.log(`\n## ${b.name}: ${b.about}\n`);
        console.log(formatTable(result.columns, result.rows));
        for (const note of result.notes ?? []) console.log(`\n${note}`);
        console.log(`\n(csv and json in ${path.relative(process.cwd(), kept.dir) || kept.dir})`);
        for (const file of kept.charts) console.log(`chart: ${path.relative(process.cwd(), file) || file}`);
      }
    }
    if (values.json) console.log(JSON.stringify(all));
    return 0;
  },
};
