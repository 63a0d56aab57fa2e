// The shape checks behind frame bodies and realms.yaml: they say where (a.b[2].c) and what is wrong.
import t from "tap";
import { bool, bytes, int, list, map, num, object, oneOf, optional, record, SchemaError, str, tuple, variant, withDefault, type Schema } from "../../common/schema.ts";

/** The SchemaError for `value`, or a failure if it parses or throws anything else. */
function problem(s: Schema<unknown>, value: unknown, path?: string): SchemaError {
  try {
    s.parse(value, path);
  } catch (err) {
    if (err instanceof SchemaError) return err;
    throw err;
  }
  throw new Error(`parsed ${JSON.stringify(value)}, but should have been refused`);
}
const message = (s: Schema<unknown>, value: unknown, path?: string): string => problem(s, value, path).message;

t.test("schema - errors carry the path to the bad value", async (t) => {
  const s = object({ a: object({ b: list(object({ c: int() })) }) });
  const err = problem(s, { a: { b: [{ c: 1 }, { c: 2 }, { c: "x" }] } });
  t.equal(err.name, "SchemaError");
  t.equal(err.path, "a.b[2].c");
  t.equal(err.problem, 'expected an integer, got a string ("x")');
  t.equal(err.message, 'a.b[2].c: expected an integer, got a string ("x")');
  t.equal(message(s, { a: { b: [{ c: 1 }, {}] } }), "a.b[1].c: missing key");
  t.equal(message(s, { a: { b: "nope" } }), 'a.b: expected a list of a map, got a string ("nope")');
  t.same(s.parse({ a: { b: [{ c: 1 }] } }, "realms[0]"), { a: { b: [{ c: 1 }] } }, "a good value passes at any path");
  t.equal(message(int(), "1", "realms[3].tick_hz"), 'realms[3].tick_hz: expected an integer, got a string ("1")', "a start path is kept");
  t.equal(message(int(), "1"), 'expected an integer, got a string ("1")', "no path, no prefix");
  // keys that are not identifiers are quoted, so the path can be read back
  t.equal(message(record(int()), { ok: 1, "odd key": "x" }), '["odd key"]: expected an integer, got a string ("x")');
  t.equal(message(object({ m: record(int()) }), { m: { "a-b": true } }), 'm["a-b"]: expected an integer, got boolean true');
  t.equal(message(list(list(int())), [[1], [2, null]]), "[1][1]: expected an integer, got null");
});

t.test("schema - object: missing and unknown keys are errors, and only known keys come out", async (t) => {
  const s = object({ id: str(), port: int() });
  t.same(s.parse({ id: "x", port: 1 }), { id: "x", port: 1 });
  t.equal(message(s, { id: "x" }), "port: missing key");
  t.equal(message(s, { id: "x", port: 1, prot: 2 }), "prot: unknown key (expected id, port)");
  t.equal(message(s, [], "node"), "node: expected a map, got a list");
  t.equal(message(s, null), "expected a map, got null");
  t.equal(message(s, Buffer.from("x")), "expected a map, got bytes");
  t.equal(message(object({ x: int() }, "a node"), 3), "expected a node, got number 3", "the map's own description");
  // a key whose value is there but undefined counts as present: its schema judges it
  t.match(message(s, { id: "x", port: undefined }), /^port: expected an integer, got undefined/);
  const inherited = Object.create({ port: 1 }) as Record<string, unknown>;
  inherited.id = "x";
  t.equal(message(s, inherited), "port: missing key", "inherited keys are not the map's own");
});

t.test("schema - optional and withDefault", async (t) => {
  const s = object({ name: str(), realm: optional(str()), tickHz: withDefault(int({ min: 1, max: 120 }), 20) });
  const bare = s.parse({ name: "n" });
  t.same(bare, { name: "n", tickHz: 20 }, "an absent optional key stays absent, an absent defaulted key gets its default");
  t.notOk(Object.hasOwn(bare, "realm"));
  t.same(s.parse({ name: "n", realm: "Fortrax", tickHz: 60 }), { name: "n", realm: "Fortrax", tickHz: 60 }, "present values are kept");
  t.equal(message(s, { name: "n", realm: 5 }), "realm: expected a string, got number 5", "an optional value is still checked");
  t.equal(message(s, { name: "n", realm: null }), "realm: expected a string, got null", "null is not absent");
  t.equal(message(s, { name: "n", tickHz: 0 }), "tickHz: must be between 1 and 120, got 0", "a defaulted value is still checked");
  t.equal(optional(int()).parse(undefined), undefined);
  t.equal(withDefault(int(), 5).parse(undefined), 5);
  t.equal(optional(int()).describe, int().describe);
  // the default is not checked against the schema, but it is what the type promises
  const list0 = withDefault(list(int()), []);
  t.same(list0.parse(undefined), []);
});

t.test("schema - numbers and their ranges", async (t) => {
  t.equal(num().parse(-1.5), -1.5);
  t.equal(message(num(), Number.NaN), "expected a number, got number NaN");
  t.equal(message(num(), Number.POSITIVE_INFINITY), "expected a number, got number Infinity");
  t.equal(message(num(), "3"), 'expected a number, got a string ("3")');
  t.equal(message(int(), 2.5), "expected an integer, got number 2.5");
  t.equal(int().parse(-0), -0);
  const port = int({ min: 1, max: 65535 });
  t.equal(port.parse(1), 1, "min is inclusive");
  t.equal(port.parse(65535), 65535, "max is inclusive");
  t.equal(message(port, 0), "must be between 1 and 65535, got 0");
  t.equal(message(port, 65536), "must be between 1 and 65535, got 65536");
  t.equal(message(int({ min: 0 }), -1), "must be at least 0, got -1");
  t.match(message(num({ max: 10 }), 11), /^must be .*10, got 11$/, "max without min");
  t.equal(bool.parse(false), false);
  t.equal(message(bool, 0), "expected true or false, got number 0");
});

t.test("schema - strings and bytes", async (t) => {
  t.equal(message(str({ min: 1 }), ""), "must not be empty");
  t.equal(message(str({ min: 3 }), "ab"), "must be at least 3 characters");
  t.equal(str({ max: 3 }).parse("abc"), "abc");
  t.equal(message(str({ max: 3 }), "abcd"), "must be at most 3 characters");
  t.equal(message(str(), "x".repeat(4097)), "must be at most 4096 characters", "strings are bounded by default");
  const id = str({ pattern: /^[A-Z]+$/, what: "an upper-case id" });
  t.equal(message(id, "abc"), 'expected an upper-case id, got a string ("abc")');
  t.equal(message(id, 1), "expected an upper-case id, got number 1");
  t.match(message(int(), "z".repeat(100)), /got a string \("z{40}…"\)$/, "a long bad value is cut at 40 characters");
  t.same(bytes(3).parse(Buffer.from([1, 2, 3])), Buffer.from([1, 2, 3]));
  t.equal(message(bytes(3), Buffer.from([1, 2, 3, 4])), "must be at most 3 bytes");
  t.equal(message(bytes(3), "abc"), 'expected bytes, got a string ("abc")');
});

t.test("schema - tuple", async (t) => {
  const region = tuple([int(), int(), int(), int()]);
  t.same(region.parse([0, 0, 2000, 4000]), [0, 0, 2000, 4000]);
  t.equal(message(region, [0, 0, 2000], "zones[1].region"), 'zones[1].region: expected a list of 4 (an integer, an integer, an integer, an integer), got a list');
  t.equal(message(region, [0, 0, 2000, 4000, 1]), "expected a list of 4 (an integer, an integer, an integer, an integer), got a list");
  t.equal(message(region, [0, 0, "x", 4000], "r"), 'r[2]: expected an integer, got a string ("x")');
  t.equal(message(region, { 0: 0, 1: 0, 2: 0, 3: 0, length: 4 }), "expected a list of 4 (an integer, an integer, an integer, an integer), got a map");
  const pair = tuple([str(), bool]);
  t.same(pair.parse(["a", true]), ["a", true], "mixed element types");
});

t.test("schema - oneOf", async (t) => {
  const state = oneOf(["up", "down"] as const);
  t.equal(state.parse("up"), "up");
  t.equal(message(state, "Up"), 'expected one of "up", "down", got a string ("Up")', "case matters");
  t.equal(message(oneOf([1, 2]), "1"), 'expected one of 1, 2, got a string ("1")', "numbers are not strings");
  t.equal(oneOf([1, 2]).parse(2), 2);
});

t.test("schema - list and record limits", async (t) => {
  t.same(list(int()).parse([]), []);
  t.equal(message(list(int(), { min: 1 }), []), "must not be empty");
  t.equal(message(list(int(), { min: 2 }), [1]), "needs at least 2 entries");
  t.same(list(int(), { max: 2 }).parse([1, 2]), [1, 2], "max is inclusive");
  t.equal(message(list(int(), { max: 2 }), [1, 2, 3]), "must have at most 2 entries");
  t.equal(message(list(int()), new Array(100_001).fill(0)), "must have at most 100000 entries", "lists are bounded by default");
  // the length is judged before any entry: a huge list of bad entries fails on its size
  t.equal(message(list(int(), { max: 1 }), ["a", "b"]), "must have at most 1 entries");
  t.equal(message(list(int()), { 0: 1 }), "expected a list of an integer, got a map");
  t.same(record(int(), { maxKeys: 2 }).parse({ a: 1, b: 2 }), { a: 1, b: 2 });
  t.equal(message(record(int(), { maxKeys: 2 }), { a: 1, b: 2, c: 3 }), "must have at most 2 keys");
  t.equal(message(record(int()), [1]), "expected a map of an integer, got a list");
});

t.test("schema - map converts after checking, with the path", async (t) => {
  const duration = map(str({ pattern: /^\d+[sm]$/, what: "a duration like 10m" }), (v) => Number(v.slice(0, -1)) * (v.endsWith("m") ? 60_000 : 1000));
  t.equal(duration.parse("10m"), 600_000);
  t.equal(duration.describe, "a duration like 10m");
  t.equal(message(duration, "10h", "backup.every"), 'backup.every: expected a duration like 10m, got a string ("10h")');
  const even = map(int(), (v, path) => {
    if (v % 2) throw new SchemaError(path, "must be even");
    return v;
  });
  t.equal(message(object({ n: even }), { n: 3 }), "n: must be even", "the converter gets the path");
});

t.test("schema - variant: the tag picks the case, and the case's keys are checked as an object", async (t) => {
  const shape = variant("kind", { id: int() }, { circle: { r: num() }, rect: { w: num(), h: num(), label: optional(str()) }, dot: {} });
  t.same(shape.parse({ id: 1, kind: "circle", r: 2 }), { id: 1, kind: "circle", r: 2 });
  const rect = shape.parse({ kind: "rect", h: 4, w: 3, id: 2 });
  t.same(Object.keys(rect), ["id", "kind", "w", "h"], "keys come out in order: shared, tag, the case's");
  // the tag narrows the type: a rect's keys are there without a check or a default
  if (rect.kind === "rect") t.equal(rect.w * rect.h, 12);
  else t.fail("parsed as another kind");
  t.same(shape.parse({ id: 3, kind: "dot" }), { id: 3, kind: "dot" }, "a case may add no keys");
  t.equal(message(shape, { id: 1, kind: "circle" }), "r: missing key", "a key its case needs is missing, not defaulted");
  t.equal(message(shape, { kind: "circle", r: 2 }), "id: missing key", "the shared keys are checked too");
  t.equal(message(shape, { id: 1, kind: "circle", r: 2, w: 3 }), "w: unknown key (expected id, kind, r)", "another case's key is unknown");
  t.equal(message(shape, { id: 1, kind: "rect", w: 3, h: "4" }), 'h: expected a number, got a string ("4")');
  t.equal(message(shape, { id: 1, r: 2 }), "kind: missing key");
  t.equal(message(shape, { id: 1, kind: "square" }), 'kind: unknown kind "square" (expected circle, rect, dot)', "an unknown tag is named");
  t.equal(message(shape, { id: 1, kind: 5 }), "kind: expected one of circle, rect, dot, got number 5");
  t.equal(message(shape, { id: 1, kind: "toString" }), 'kind: unknown kind "toString" (expected circle, rect, dot)', "only the cases' own names");
  const inherited = Object.create({ kind: "dot" }) as Record<string, unknown>;
  inherited.id = 1;
  t.equal(message(shape, inherited), "kind: missing key", "an inherited tag is not the map's own");
  t.equal(message(shape, [1]), "expected a map, got a list");
  t.equal(message(list(shape), [{ id: 1, kind: "dot" }, { id: 2, kind: "rect", w: 1 }], "shapes"), "shapes[1].h: missing key", "errors carry the path");
  t.equal(message(object({ s: shape }), { s: { id: 1, kind: "cube" } }), 's.kind: unknown kind "cube" (expected circle, rect, dot)');
});
