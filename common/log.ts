// Structured logs: one JSON line per event, always carrying the node id, so the lines of
// every node of a realm can be merged and filtered with ordinary tools.

type Level = "debug" | "info" | "warn" | "error";
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

/**
 * An error as log fields: the message under `error` (its first line is what the reviver shows as
 * a crash's reason), with the error's `code` (ECONNREFUSED, a PostgreSQL SQLSTATE) and stack beside it.
 */
export function errorFields(err: unknown): { error: string; code?: string; stack?: string } {
  if (!(err instanceof Error)) return { error: String(err) };
  const code = (err as { code?: unknown }).code;
  return {
    error: err.message,
    ...(typeof code === "string" || typeof code === "number" ? { code: String(code) } : {}),
    ...(err.stack !== undefined ? { stack: err.stack } : {}),
  };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return errorFields(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}

export function createLog(node: string, minLevel: Level = (process.env.REALM_LOG_LEVEL as Level | undefined) ?? "info"): Log {
  const min = ORDER[minLevel] ?? ORDER.info;
  const write = (level: Level, event: string, fields?: Fields): void => {
    if (quiet || ORDER[level] < min) return;
    const head = { t: new Date().toISOString(), node, level, event };
    // `node` is always the node that writes the line: a field of the same name would make it name another
    const shadowed = Object.keys(head).filter((k) => fields !== undefined && k in fields);
    const body = fields?.error instanceof Error ? { ...fields, ...errorFields(fields.error) } : fields;
    const record: Fields = { ...head, ...body, ...head };
    if (shadowed.length > 0) record.shadowed = Object.fromEntries(shadowed.map((k) => [k, fields?.[k]]));
    const line = JSON.stringify(record, jsonSafe);
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
