// The entry of a load process (see db-load.ts): the spec is the first argument, the result the one line printed.
import { runRate, runTrades, type RateSpec, type TradesSpec } from "./db-load.ts";

const spec = JSON.parse(process.argv[2] ?? "{}") as TradesSpec | RateSpec;
const result = spec.kind === "trades" ? await runTrades(spec) : await runRate(spec);
process.stdout.write(JSON.stringify(result) + "\n");
process.exit(0);
