// Typed shape checks for everything that arrives from outside: node-to-node frame bodies,
// realms.yaml, CLI input. A schema both checks a value and gives TypeScript its type.

export class SchemaError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = "SchemaError";
  }
}

export interface Schema<T> {
  readonly describe: string;
  parse(value: unknown, path?: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "bytes";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `a string ("${value.length > 40 ? value.slice(0, 40) + "…" : value}")`;
  return `${typeof value} ${String(value)}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new SchemaError(path, `expected ${expected}, got ${kindOf(value)}`);
}

function make<T>(describe: string, parse: (value: unknown, path: string) => T): Schema<T> {
  return { describe, parse: (value, path = "") => parse(value, path) };
}

export function str(opts: { min?: number; max?: number; pattern?: RegExp; what?: string } = {}): Schema<string> {
  const { min = 0, max = 4096, pattern, what = "a string" } = opts;
  return make(what, (v, path) => {
    if (typeof v !== "string") fail(path, what, v);
    if (v.length < min) throw new SchemaError(path, min === 1 ? "must not be empty" : `must be at least ${min} characters`);
    if (v.length > max) throw new SchemaError(path, `must be at most ${max} characters`);
    if (pattern && !pattern.test(v)) fail(path, what, v);
    return v;
  });
}

export function num(opts: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  const { min = -Infinity, max = Infinity, integer = false } = opts;
  const what = integer ? "an integer" : "a number";
  return make(what, (v, path) => {
    if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v))) fail(path, what, v);
    if (v < min || v > max) {
      throw new SchemaError(path, `must be ${max === Infinity ? `at least ${min}` : `between ${min} and ${max}`}, got ${v}`);
    }
    return v;
  });
}

export const int = (opts: { min?: number; max?: number } = {}): Schema<number> => num({ ...opts, integer: true });

export const bool: Schema<boolean> = make("true or false", (v, path) => (typeof v === "boolean" ? v : fail(path, "true or false", v)));

export const bytes = (max: number): Schema<Uint8Array> =>
  make("bytes", (v, path) => {
    if (!(v instanceof Uint8Array)) fail(path, "bytes", v);
    if (v.length > max) throw new SchemaError(path, `must be at most ${max} bytes`);
    return v;
  });

export function oneOf<const V extends readonly (string | number)[]>(values: V): Schema<V[number]> {
  const what = `one of ${values.map((x) => JSON.stringify(x)).join(", ")}`;
  return make(what, (v, path) => ((values as readonly unknown[]).includes(v) ? (v as V[number]) : fail(path, what, v)));
}

export function list<T>(item: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> {
  const { min = 0, max = 100_000 } = opts;
  const what = `a list of ${item.describe}`;
  return make(what, (v, path) => {
    if (!Array.isArray(v)) fail(path, what, v);
    if (v.length < min) throw new SchemaError(path, min === 1 ? "must not be empty" : `needs at least ${min} entries`);
    if (v.length > max) throw new SchemaError(path, `must have at most ${max} entries`);
    return v.map((x, i) => item.parse(x, `${path}[${i}]`));
  });
}

export function tuple<const S extends readonly Schema<unknown>[]>(items: S): Schema<{ -readonly [K in keyof S]: Infer<S[K]> }> {
  const what = `a list of ${items.length} (${items.map((s) => s.describe).join(", ")})`;
  return make(what, (v, path) => {
    if (!Array.isArray(v) || v.length !== items.length) fail(path, what, v);
    return items.map((s, i) => s.parse(v[i], `${path}[${i}]`)) as { -readonly [K in keyof S]: Infer<S[K]> };
  });
}

export function record<T>(value: Schema<T>, opts: { maxKeys?: number } = {}): Schema<Record<string, T>> {
  const { maxKeys = 1000 } = opts;
  const what = `a map of ${value.describe}`;
  return make(what, (v, path) => {
    if (!isPlainMap(v)) fail(path, what, v);
    const keys = Object.keys(v);
    if (keys.length > maxKeys) throw new SchemaError(path, `must have at most ${maxKeys} keys`);
    const out: Record<string, T> = {};
    for (const k of keys) out[k] = value.parse(v[k], join(path, k));
    return out;
  });
}

const OPTIONAL = Symbol("optional");
interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly [OPTIONAL]: true;
}

export function optional<T>(s: Schema<T>): OptionalSchema<T> {
  return { describe: s.describe, [OPTIONAL]: true, parse: (v, path = "") => (v === undefined ? undefined : s.parse(v, path)) };
}

const DEFAULTED = Symbol("defaulted");
/** May be absent from the input, but always present in the parsed value. */
interface DefaultedSchema<T> extends Schema<T> {
  readonly [OPTIONAL]: true;
  readonly [DEFAULTED]: true;
}

/** A value that may be absent, replaced by `fallback` when it is. */
export function withDefault<T>(s: Schema<T>, fallback: T): DefaultedSchema<T> {
  return {
    describe: s.describe,
    [OPTIONAL]: true,
    [DEFAULTED]: true,
    parse: (v, path = "") => (v === undefined ? fallback : s.parse(v, path)),
  };
}

type Fields = Record<string, Schema<unknown>>;
// Keys of the parsed value that are always present: required ones and those with a default.
type RequiredKeys<F extends Fields> = {
  [K in keyof F]: F[K] extends DefaultedSchema<unknown> ? K : F[K] extends OptionalSchema<unknown> ? never : K;
}[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type ObjectOf<F extends Fields> = { [K in RequiredKeys<F>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> };

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function join(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}

/** A map with exactly these keys: a missing required key or an unknown key is an error. */
export function object<F extends Fields>(fields: F, what = "a map"): Schema<ObjectOf<F>> {
  return make(what, (v, path) => {
    if (!isPlainMap(v)) fail(path, what, v);
    for (const key of Object.keys(v)) {
      if (!Object.hasOwn(fields, key)) {
        throw new SchemaError(join(path, key), `unknown key (expected ${Object.keys(fields).join(", ")})`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(fields)) {
      const present = Object.hasOwn(v, key);
      if (!present && !(OPTIONAL in schema)) throw new SchemaError(join(path, key), "missing key");
      const parsed = schema.parse(present ? v[key] : undefined, join(path, key));
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<F>;
  });
}

type Cases = Record<string, Fields>;
type Flat<T> = { [K in keyof T]: T[K] };
/** One type per case: the shared keys, the tag holding the case's name, and the case's own keys. */
type VariantOf<Tag extends string, Shared extends Fields, C extends Cases> = {
  [Name in keyof C & string]: Flat<{ [K in Tag]: Name } & ObjectOf<Shared & C[Name]>>;
}[keyof C & string];

/** Omit over each member of a union on its own, so the result is still discriminated. */
export type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A tagged union: the `tag` key names the case, and the map is then checked as that case's
 * object (the shared keys, the tag, the case's keys, in that order), so a key its case needs is
 * missing and not absent-by-default, and a key of another case is unknown.
 */
export function variant<const Tag extends string, S extends Fields, C extends Cases>(tag: Tag, shared: S, cases: C, what = "a map"): Schema<VariantOf<Tag, S, C>> {
  const names = Object.keys(cases);
  const byName = new Map(names.map((name) => [name, object({ ...shared, [tag]: oneOf([name]), ...cases[name] }, what)]));
  const expected = names.join(", ");
  return make(what, (v, path) => {
    if (!isPlainMap(v)) fail(path, what, v);
    const name = Object.hasOwn(v, tag) ? v[tag] : undefined;
    const schema = typeof name === "string" ? byName.get(name) : undefined;
    if (schema) return schema.parse(v, path) as VariantOf<Tag, S, C>;
    const at = join(path, tag);
    if (!Object.hasOwn(v, tag)) throw new SchemaError(at, "missing key");
    if (typeof name === "string") throw new SchemaError(at, `unknown ${tag} ${JSON.stringify(name)} (expected ${expected})`);
    return fail(at, `one of ${expected}`, name);
  });
}

/** Checks a value with `s`, then maps it (for parsed forms such as "10m" -> ms). */
export function map<A, B>(s: Schema<A>, to: (value: A, path: string) => B, what = s.describe): Schema<B> {
  return make(what, (v, path) => to(s.parse(v, path), path));
}
