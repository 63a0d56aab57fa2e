#!/usr/bin/env node
// The operator CLI. The sources are TypeScript; tsx runs them without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./cli.ts");
process.exitCode = await main(process.argv.slice(2));
