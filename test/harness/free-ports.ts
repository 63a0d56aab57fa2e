// Ports chosen at run time: ops/free-ports.ts, which benchmarks and chaos runs share.
export { freePorts } from "../../ops/free-ports.ts";
