// Structured logs: one JSON line per event, always carrying the node id, so the lines of
// every node of a realm can be merged and filtered with ordinary tools.

export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

export interface Log {
  readonly node: string;
  debug(event: string, fields?: Fields): void;
  info(event: string, fields?: Fields): void;
  warn(event: string, fields?: Fields): void;
  error(event: string, fields?: Fields): void;
}

const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

// A reader that went away (the reviver that piped us died) must not take the node down with it.
let quiet = false;
process.stdout.on("error", () => {
  quiet = true;
});

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}

export function createLog(node: string, minLevel: Level = (process.env.REALM_LOG_LEVEL as Level | undefined) ?? "info"): Log {
  const min = ORDER[minLevel] ?? ORDER.info;
  const write = (level: Level, event: string, fields?: Fields): void => {
    if (quiet || ORDER[level] < min) return;
    const line = JSON.stringify({ t: new Date().toISOString(), node, level, event, ...fields }, jsonSafe);
    process.stdout.write(line + "\n");
  };
  return {
    node,
    debug: (e, f) => write("debug", e, f),
    info: (e, f) => write("info", e, f),
    warn: (e, f) => write("warn", e, f),
    error: (e, f) => write("error", e, f),
  };
}
