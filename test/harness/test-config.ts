// A realms.yaml for one test: ops/config-copy.ts, which benchmarks and chaos runs share.
export { SHIPPED_CONFIG, writeConfigCopy as writeTestConfig } from "../../ops/config-copy.ts";
export { remapPorts } from "../../ops/free-ports.ts";
