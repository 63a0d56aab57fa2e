// Frames on the wire: [opcode (uint16 BE), msgpack body]. Whatever a peer gets wrong is a FrameError
// that names the opcode, so the `frame-dropped` log line tells the operator which message was bad.
import msgpack from "msgpack-lite";
import t from "tap";
import { decodeFrame, encodeFrame, MAX_BODY_BYTES } from "../../common/codec.ts";
import { FrameError } from "../../common/errors.ts";
import { Op, opName, type OpCode, type OpName } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";

/**
 * One valid body per opcode, checked against its type. An opcode without one fails the first test
 * by name (at run time, so adding an opcode does not stop the whole project compiling).
 */
const PLAYER: Body<typeof Op.ZONE_ENTER>["player"] = {
  entity: 7,
  characterId: "c-7",
  accountId: "42",
  clientNode: "CLIENT-1",
  name: "Aria",
  x: 101.5,
  y: 2000,
  heading: -1.2,
  level: 3,
  hp: 80,
  maxHp: 100,
  speed: 7,
  version: 4,
  seq: 12,
  seqMask: 0xffff_ffff,
  moveSeq: 11,
};

const SAMPLES: { [O in OpCode]?: Body<O> } = {
  [Op.HEARTBEAT]: {
    id: "FORTRAX-ZONE-1",
    kind: "zone",
    realm: "Fortrax",
    pid: 4242,
    seq: 17,
    startedAt: 1_700_000_000_123,
    uptimeMs: 8500.5,
    rssBytes: 80 << 20,
    heapUsedBytes: 30 << 20,
    vitals: { tickP99Ms: 2.75, players: 12, badFrames: 0 },
  },
  [Op.SHUTDOWN]: { reason: "operator asked" },
  [Op.PING]: { corr: 1 },
  [Op.PONG]: { corr: Number.MAX_SAFE_INTEGER, id: "LOGIN-1", uptimeMs: 0 },
  [Op.STATUS_REQUEST]: { corr: 0 },
  [Op.STATUS_REPLY]: {
    corr: 9,
    reviver: "REVIVER-1",
    leader: true,
    nodes: [
      {
        id: "FORTRAX-DB",
        kind: "database",
        realm: "Fortrax",
        state: "up",
        pid: 99,
        restarts: 1,
        heartbeatAgeMs: 120.5,
        vitals: { replicaLagMs: 3 },
        history: [{ at: 1_700_000_000_000, cause: "SIGKILL", procedure: "spawn" }],
      },
      { id: "CLIENT-2", kind: "client", state: "given-up", restarts: 5, reason: "crashed 5 times in 60 s", vitals: {}, history: [] },
    ],
  },
  [Op.STOP_REALM]: { reason: "maintenance" },
  [Op.NODE_DOWN]: { nodeId: "FORTRAX-DB", kind: "database", realm: "Fortrax", cause: "signal SIGKILL", at: 1_700_000_000_000 },
  [Op.NODE_UP]: { nodeId: "CLIENT-1", kind: "client", downMs: 812 },
  [Op.REALM_RESTART]: { corr: 9, realm: "Fortrax", inMs: 300_000, cancel: false },
  [Op.REALM_RESTART_REPLY]: { corr: 9, ok: true, at: 1_700_000_300_000 },
  [Op.PLAYER_NOTICE]: { realm: "Fortrax", kind: 2, seconds: 300, text: "The realm restarts in 5 minutes." },
  [Op.REALM_CLOSE_PLAYERS]: { corr: 10, realm: "Fortrax", reason: "the realm is restarting" },
  [Op.REALM_CLOSE_PLAYERS_REPLY]: { corr: 10, closed: 12 },
  [Op.SOCIAL_REQUEST]: { corr: 11, accountId: "42", action: "guild-rank", name: "Aria", rank: "officer" },
  [Op.SOCIAL_REPLY]: { corr: 11, ok: false, code: "name-taken", error: "a guild of that name exists" },
  [Op.SOCIAL_PUSH]: {
    realm: "Fortrax",
    updates: [
      {
        to: ["42", "43"],
        party: { view: { id: "P1", leader: "C1", members: [{ characterId: "C1", name: "Aria" }, { characterId: "C2", name: "Bran" }], invited: [] } },
        guild: {},
        invites: { party: [], guild: [{ guildId: "G1", name: "Night Watch" }] },
        presence: { characterId: "C2", name: "Bran", online: true },
        online: ["C1", "C2"],
      },
    ],
  },
  [Op.CHAT_SEND]: { corr: 12, accountId: "42", channel: "whisper", to: "Bran", text: "hello" },
  [Op.CHAT_SEND_REPLY]: { corr: 12, ok: false, code: "offline", error: "Bran is not in the world" },
  [Op.CHAT_DELIVER]: { realm: "Fortrax", to: [], everyone: true, channel: "global", fromName: "Aria", text: "hi all" },
  [Op.CHAT_MUTE]: { corr: 13, name: "Aria", forMs: 600_000, by: "ops-1" },
  [Op.CHAT_MUTE_REPLY]: { corr: 13, ok: true, until: 1_700_000_600_000 },
  [Op.CHAT_MUTED]: { realm: "Fortrax", accountId: "42", until: 1_700_000_600_000 },
  [Op.REALM_DIRECTORY_REQUEST]: { realm: "Fortrax" },
  [Op.REALM_DIRECTORY_REPORT]: { realm: "Fortrax", players: [{ accountId: "42", characterId: "c-7", entity: 7, world: "FORTRAX-ZONE-1~2" }, { accountId: "43" }], done: true },
  [Op.SESSION_MOVED]: { realm: "Fortrax", player: { accountId: "42", characterId: "c-7", entity: 7, world: "FORTRAX-ZONE-2" } },
  [Op.ZONE_PLAYERS_REQUEST]: { realm: "Fortrax" },
  [Op.ZONE_PLAYERS_REPORT]: { realm: "Fortrax", players: [{ entity: 7, characterId: "c-7", accountId: "42", clientNode: "CLIENT-1", world: "FORTRAX-ZONE-1" }], done: false },
  [Op.SESSION_GRANT]: { corr: 11, accountId: "42", accountName: "Arthur", sessionHash: "ab".repeat(32), expiresAt: 1_700_000_120_000, keepFree: 3 },
  [Op.SESSION_GRANT_REPLY]: { corr: 11, ok: true, clientNode: "CLIENT-2", url: "ws://client-2.realm.test:7202/" },
  [Op.SESSION_END]: { corr: 12, accountId: "42", sessionHash: "cd".repeat(32), reason: "logout" },
  [Op.SESSION_END_REPLY]: { corr: 12, ended: true },
  [Op.REALM_STATUS_REQUEST]: { corr: 13 },
  [Op.REALM_STATUS_REPLY]: { corr: 13, realm: "Fortrax", population: 1999, cap: 2000, clientNodes: 2 },
  [Op.CLIENT_LOAD]: { node: "CLIENT-1", players: 250, started: 1_796_453_637_000 },
  [Op.REALM_SESSION_CHECK]: { corr: 14, session: "b_MB2ty_PUbDyaod17jscbMAif-hMG9lw0Xq_B6aGco" },
  [Op.REALM_SESSION_CHECK_REPLY]: { corr: 14, ok: false, code: "used" },
  [Op.SESSION_KICK]: { accountId: "42", reason: "logged in again elsewhere" },
  [Op.REALM_PLAYER_LEFT]: { accountId: "42" },
  [Op.CHAR_LIST]: { corr: 15, accountId: "42" },
  [Op.CHAR_LIST_REPLY]: { corr: 15, ok: true, characters: [{ id: "C1", accountId: "42", name: "Arthur", level: 3, x: 1000, y: 2000 }] },
  [Op.CHAR_CREATE]: { corr: 16, accountId: "42", name: "Merlin", opId: "op-16" },
  [Op.CHAR_CREATE_REPLY]: { corr: 16, ok: false, code: "name-taken", error: "the name is taken on this realm" },
  [Op.CHAR_DELETE]: { corr: 17, accountId: "42", characterId: "C1" },
  [Op.CHAR_DELETE_REPLY]: { corr: 17, ok: true },
  [Op.CHAR_SELECT]: { corr: 18, accountId: "42", characterId: "C1" },
  [Op.CHAR_SELECT_REPLY]: { corr: 18, ok: true, character: { id: "C1", accountId: "42", name: "Arthur", level: 3, x: 1000, y: 2000 }, zone: "FORTRAX-ZONE-1" },
  [Op.ZONE_ENTER]: { corr: 3, player: PLAYER, with: 8 },
  [Op.ZONE_ENTERED]: { corr: 3, ok: true, zone: "FORTRAX-ZONE-1~2" },
  // one intent and one event of every kind
  [Op.ZONE_INTENTS]: {
    intents: [
      { entity: 7, seq: 1, kind: "move", x: 10.5, y: 20, heading: 1.5 },
      { entity: 7, seq: 2, kind: "move", x: 11, y: 20 },
      { entity: 7, seq: 3, kind: "attack", target: 9000 },
      { entity: 7, seq: 4, kind: "loot", target: 9001 },
      { entity: 7, seq: 5, kind: "say", text: "hi" },
      { entity: 7, seq: 6, kind: "zone-chat", text: "" },
      { entity: 7, seq: 7, kind: "trade-offer", target: 8, gold: 5, items: ["I3.0"] },
      { entity: 7, seq: 8, kind: "trade-accept", offer: 2, gold: 0, items: [] },
      { entity: 7, seq: 9, kind: "trade-decline", offer: 3 },
      { entity: 7, seq: 10, kind: "leave" },
    ],
    stalledMs: 2900,
  },
  [Op.ZONE_EVENTS]: {
    zone: "FORTRAX-ZONE-1",
    tick: 99,
    events: [
      { entity: 7, kind: "entered", x: 10, y: 20, zone: "FORTRAX-ZONE-1~2" },
      { entity: 7, kind: "correct", x: 10, y: 20, reason: "too-fast" },
      { entity: 7, kind: "say", from: 8, fromName: "Bo", text: "hi" },
      { entity: 7, kind: "zone-chat", from: 8, fromName: "Bo", text: "all" },
      { entity: 7, kind: "combat", from: 7, target: 8, amount: 12 },
      { entity: 7, kind: "loot", target: 9001, amount: 3, opId: "op-1", items: ["I3.0"] },
      { entity: 7, kind: "redirect", zone: "FORTRAX-ZONE-2" },
      { entity: 7, kind: "left", reason: "left the game" },
      { entity: 7, kind: "refused", reason: "cooldown" },
      { entity: 7, kind: "trade-offered", from: 8, fromName: "Bo", offer: 2, gold: 5, items: [] },
      { entity: 7, kind: "trade-result", offer: 2, ok: true, opId: "op-2", amount: -5, gold: 95, received: ["I3.1"], given: [] },
      { entity: 7, kind: "trade-result", offer: 3, ok: false, reason: "declined" },
      { entity: 7, kind: "wallet", gold: 95, items: ["I3.1"], kinds: ["sword"] },
      { entity: 7, kind: "notice", amount: 3, text: "your trade waits for the realm's storage" },
    ],
  },
  [Op.ZONE_HANDOFF_OFFER]: { corr: 4, ticket: "t-1", player: PLAYER, layer: 1, back: { zone: "FORTRAX-ZONE-1", x: 1000, y: 2000 } },
  [Op.ZONE_HANDOFF_ACCEPT]: { corr: 4, ticket: "t-1", ok: false, code: "wrong-zone" },
  [Op.ZONE_HANDOFF_COMMIT]: { ticket: "t-1", player: PLAYER, intents: [] },
  [Op.ZONE_TRUTH_REQUEST]: { corr: 5 },
  [Op.ZONE_TRUTH_REPLY]: { corr: 5, zone: "FORTRAX-ZONE-1", tick: 7, serverTime: 1_700_000_000_000, entities: [{ entity: 7, kind: 1, x: 1.25, y: 2 }] },
  [Op.ZONE_DISPLACE]: { entity: 7, x: 100, y: 200, reason: "knockback" },
  [Op.INSTANCE_OPEN]: { corr: 6, realm: "Fortrax", dungeon: "crypt", cap: 5 },
  [Op.INSTANCE_OPENED]: { corr: 6, ok: true, node: "INSTANCE-1", instance: "INSTANCE-1~3", width: 400, height: 400, entranceX: 20, entranceY: 20 },
  [Op.INSTANCE_CLOSED]: { node: "INSTANCE-1", instance: "INSTANCE-1~3", realm: "Fortrax" },
  [Op.DUNGEON_ENTER]: { corr: 90, accountId: "42", entrance: "crypt-gate" },
  [Op.DUNGEON_ENTER_REPLY]: { corr: 90, ok: true, state: "queued", position: 2 },
  [Op.DUNGEON_STATUS]: { accountId: "42", entrance: "crypt-gate", state: "admitted" },
  [Op.ZONE_TRANSFER]: { corr: 91, entities: [7, 8], x: 1000, y: 2000, radius: 15, to: { node: "INSTANCE-1", world: "INSTANCE-1~3", dungeon: "crypt", landX: 20, landY: 20 } },
  [Op.ZONE_TRANSFER_REPLY]: { corr: 91, ok: true, near: [7, 8] },
  [Op.WORLD_ARRIVED]: { world: "INSTANCE-1~3", entity: 7, characterId: "c-7", accountId: "42", clientNode: "CLIENT-1" },
  [Op.ZONE_STARTED]: { zone: "FORTRAX-ZONE-2" },
  [Op.CLIENT_RESUME_GRANT]: {
    grants: [
      { token: "ab".repeat(32), accountId: "42", realm: "Fortrax", entity: 7, characterId: "c-7", name: "Aria", zone: "FORTRAX-ZONE-1~2", x: 101.5, y: 2000, droppedAt: 1_700_000_000_000 },
      { token: "ef".repeat(32), accountId: "43", realm: "Fortrax", entity: 8, characterId: "c-8", name: "Borin", zone: "INSTANCE-1~3", dungeon: "crypt", x: 20, y: 20 },
    ],
  },
  [Op.CLIENT_RESUME_TAKEN]: { token: "cd".repeat(32), by: "CLIENT-2", why: "resumed" },
  [Op.ZONE_REATTACH]: { corr: 8, entity: 7, clientNode: "CLIENT-2" },
  [Op.ZONE_REATTACHED]: { corr: 8, ok: true, zone: "FORTRAX-ZONE-1~2", x: 101.5, y: 2000, seq: 12 },
  [Op.DB_LIST_CHARACTERS]: { corr: 20, accountId: "42" },
  [Op.DB_CREATE_CHARACTER]: { corr: 21, opId: "op-1", accountId: "42", name: "Aria", x: 10, y: 20, expiresAt: 1_700_000_002_000 },
  [Op.DB_DELETE_CHARACTER]: { corr: 22, opId: "op-2", accountId: "42", characterId: "C1" },
  [Op.DB_LOAD_CHARACTER]: { corr: 23, characterId: "C1" },
  [Op.DB_SAVE_CHECKPOINT]: { corr: 24, opId: "op-3", characterId: "C1", version: 5, level: 3, x: 1.5, y: 2, stats: { hp: 80 } },
  [Op.DB_GRANT_ITEMS]: { corr: 25, opId: "op-4", characterId: "C1", kinds: ["sword"], source: "loot:wolf" },
  [Op.DB_MOVE_ITEM]: { corr: 26, opId: "op-5", itemId: "I3.0", from: "C1", to: "C2" },
  [Op.DB_TRADE]: { corr: 27, opId: "op-6", a: { characterId: "C1", items: ["I3.0"], gold: 0 }, b: { characterId: "C2", items: [], gold: 40 } },
  [Op.DB_SEND_MAIL]: { corr: 28, opId: "op-7", from: "C1", to: "C2", text: "for you", itemId: "I3.1", gold: 5 },
  [Op.DB_TAKE_MAIL]: { corr: 29, opId: "op-8", characterId: "C2", mailId: "M9" },
  [Op.DB_LIST_MAIL]: { corr: 30, characterId: "C2" },
  [Op.DB_GRANT_GOLD]: { corr: 31, opId: "op-9", characterId: "C1", amount: 100, source: "quest" },
  [Op.DB_SINK_GOLD]: { corr: 32, opId: "op-10", characterId: "C1", amount: 10, reason: "repair" },
  [Op.DB_LOAD_ITEMS]: { corr: 33, itemIds: ["I3.0", "I3.1"] },
  [Op.DB_OP_STATUS]: { corr: 34, opId: "op-1" },
  [Op.DB_CHECK]: { corr: 35 },
  [Op.DB_STATS]: { corr: 36 },
  [Op.DB_GUILD]: { corr: 37, opId: "g-1", characterId: "C1", action: "create", name: "Night Watch" },
  [Op.DB_FRIEND]: { corr: 38, opId: "f-1", characterId: "C1", action: "request", target: "C2" },
  [Op.DB_PARTY]: { corr: 39, opId: "p-1", characterId: "C1", action: "kick", target: "C2" },
  [Op.DB_SOCIAL_LOAD]: { corr: 40, characterId: "C1" },
  [Op.DB_FIND_CHARACTER]: { corr: 41, name: "Aria" },
  [Op.DB_REPLICA_PULL]: { corr: 37, generation: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", afterSeq: 120, maxBytes: 524_288 },
  [Op.DB_COPY_OPEN]: { corr: 38 },
  [Op.DB_COPY_CHUNK]: { corr: 39, fileId: "f-1", offset: 524_288 },
  [Op.DB_RESTORE]: { corr: 40, snapshotId: 3 },
  [Op.DB_REPLY]: { corr: 41, ok: false, code: "name-taken", error: "the name \"Aria\" is already taken on this realm" },
  [Op.BACKUP_SNAPSHOT_NOW]: { corr: 42 },
  [Op.BACKUP_LIST]: { corr: 43, limit: 50 },
  [Op.BACKUP_VERIFY]: { corr: 44, snapshotId: 3 },
  [Op.BACKUP_RESTORE]: { corr: 45, snapshotId: 3 },
  [Op.BACKUP_TASK]: { corr: 46, taskId: "snapshot-3" },
  [Op.BACKUP_FILE_OPEN]: { corr: 47, source: "snapshot", snapshotId: 3 },
  [Op.BACKUP_FILE_CHUNK]: { corr: 48, fileId: "f-2", offset: 0 },
  [Op.BACKUP_GET_ENTRY]: { corr: 49, table: "characters", key: "C1" },
  [Op.BACKUP_STATUS]: { corr: 50 },
  [Op.BACKUP_REPLY]: { corr: 51, ok: true, value: { taskId: "snapshot-3", snapshotId: 3 } },
};


const OPS = Object.values(Op);
/** The opcodes the body tests run over: those with a sample (the first test names the others). */
const SAMPLED = OPS.filter((op) => SAMPLES[op] !== undefined);
/** The sample for `op`. */
const sample = <O extends OpCode>(op: O): Body<O> => {
  const body = SAMPLES[op];
  if (body === undefined) throw new Error(`no sample body for ${opName(op)}: add one to SAMPLES`);
  return body as Body<O>;
};
const nameOf = (op: OpCode): OpName => opName(op)!;
const head = (code: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code, 0);
  return b;
};

/** The FrameError message for `frames`, or a failure if it decodes or throws anything else. */
function frameError(frames: Buffer[]): string {
  try {
    decodeFrame(frames);
  } catch (err) {
    if (err instanceof FrameError) return err.message;
    throw err;
  }
  throw new Error("decoded, but should have been refused");
}

t.test("codec - every opcode has a sample, and its frame round-trips", async (t) => {
  const missing = OPS.filter((op) => SAMPLES[op] === undefined).map(nameOf);
  t.same(missing, [], "a sample body for every opcode in the table");
  for (const op of SAMPLED) {
    const frames = encodeFrame(op, sample(op));
    t.equal(frames.length, 2, `${nameOf(op)}: two frames`);
    t.same(frames[0], head(op), `${nameOf(op)}: the opcode is a big-endian uint16`);
    let back: unknown;
    try {
      back = decodeFrame(frames);
    } catch (err) {
      // a sample gone stale under a schema change: say which, and go on with the others
      t.fail(`${nameOf(op)}: the sample no longer decodes: ${(err as Error).message}`);
      continue;
    }
    t.same(back, { op, body: sample(op) }, `${nameOf(op)}: decodes to what was encoded`);
  }
});

t.test("codec - optional keys may be left out and stay out", async (t) => {
  const { realm: _realm, ...noRealm } = sample(Op.HEARTBEAT);
  const back = decodeFrame(encodeFrame(Op.HEARTBEAT, noRealm));
  t.notOk(Object.hasOwn(back.body, "realm"), "no realm key appears");
  t.same(back.body, noRealm);
});

t.test("codec - the frame's shape is checked before the body", async (t) => {
  const [h, body] = encodeFrame(Op.PING, { corr: 1 });
  t.equal(frameError([]), "expected 2 frames (opcode, body), got 0");
  t.equal(frameError([h]), "expected 2 frames (opcode, body), got 1");
  t.equal(frameError([h, body, body]), "expected 2 frames (opcode, body), got 3");
  t.equal(frameError([Buffer.from([3]), body]), "opcode frame must be 2 bytes, got 1");
  t.equal(frameError([Buffer.from([0, 3, 0]), body]), "opcode frame must be 2 bytes, got 3");
  t.equal(frameError([Buffer.alloc(0), body]), "opcode frame must be 2 bytes, got 0");
  t.equal(frameError([head(65000), body]), "unknown opcode 65000");
  t.equal(frameError([head(0), body]), "unknown opcode 0", "0 is not an opcode");
  // 3 little-endian is 768: the byte order matters
  t.equal(frameError([Buffer.from([3, 0]), body]), "unknown opcode 768");
});

t.test("codec - a body over the limit is refused by size, before it is decoded", async (t) => {
  for (const op of OPS) {
    const name = nameOf(op);
    t.equal(
      frameError([head(op), Buffer.alloc(MAX_BODY_BYTES + 1, 0xc1)]),
      `${name} body of ${MAX_BODY_BYTES + 1} bytes exceeds ${MAX_BODY_BYTES}`,
      `${name}: one byte over`,
    );
  }
  // exactly at the limit the size passes, and the body itself is judged (a 1 MiB string is too long a reason)
  const atLimit = msgpack.encode({ reason: "x".repeat(MAX_BODY_BYTES - 16) });
  const padded = Buffer.concat([atLimit, Buffer.alloc(MAX_BODY_BYTES - atLimit.length)]);
  t.equal(padded.length, MAX_BODY_BYTES);
  t.match(frameError([head(Op.SHUTDOWN), padded]), /^SHUTDOWN body: reason: must be at most 200 characters$/);
});

t.test("codec - a body that is not msgpack is refused, naming the opcode", async (t) => {
  for (const op of OPS) {
    const name = nameOf(op);
    t.match(frameError([head(op), Buffer.from([0xc1])]), new RegExp(`^${name} body is not msgpack \\(`), `${name}: 0xc1 is never msgpack`);
    t.match(frameError([head(op), Buffer.alloc(0)]), new RegExp(`^${name} body is not msgpack \\(`), `${name}: empty body`);
  }
  for (const op of SAMPLED) {
    const name = nameOf(op);
    const whole = encodeFrame(op, sample(op))[1];
    t.match(frameError([head(op), whole.subarray(0, whole.length - 1)]), new RegExp(`^${name} body is not msgpack \\(`), `${name}: truncated body`);
  }
  // nesting deep enough to blow the decoder's stack is still just a bad frame
  t.match(frameError([head(Op.PING), Buffer.alloc(MAX_BODY_BYTES, 0x91)]), /^PING body is not msgpack \(/);
});

t.test("codec - a body of the wrong shape is refused, naming the opcode and the key", async (t) => {
  for (const op of SAMPLED) {
    const name = nameOf(op);
    const body = sample(op) as Record<string, unknown>;
    const encode = (value: unknown): Buffer[] => [head(op), msgpack.encode(value)];
    const [first] = Object.keys(body) as [string];

    t.match(frameError(encode([1, 2])), new RegExp(`^${name} body: expected a map, got a list$`), `${name}: a list, not a map`);
    t.match(frameError(encode(7)), new RegExp(`^${name} body: expected a map, got number 7$`), `${name}: a number, not a map`);
    t.match(frameError(encode(null)), new RegExp(`^${name} body: expected a map, got null$`), `${name}: nil`);

    const { [first]: _dropped, ...missing } = body;
    t.equal(frameError(encode(missing)), `${name} body: ${first}: missing key`, `${name}: missing ${first}`);

    const unknown = { ...body, sneaky: 1 };
    t.match(frameError(encode(unknown)), new RegExp(`^${name} body: sneaky: unknown key \\(expected ${first}(, [^)]*)?\\)$`), `${name}: unknown key`);

    const wrong = { ...body, [first]: { nested: true } };
    t.match(frameError(encode(wrong)), new RegExp(`^${name} body: ${first}: expected .*, got a map$`), `${name}: ${first} of the wrong type`);
  }
});

t.test("codec - nested problems are reported with their path", async (t) => {
  const reply = sample(Op.STATUS_REPLY);
  const bad = { ...reply, nodes: [reply.nodes[0], { ...reply.nodes[1], state: "sleeping" }] };
  t.equal(
    frameError([head(Op.STATUS_REPLY), msgpack.encode(bad)]),
    'STATUS_REPLY body: nodes[1].state: expected one of "up", "down", "starting", "given-up", "stopped", got a string ("sleeping")',
  );
  const hb = { ...sample(Op.HEARTBEAT), vitals: { players: "many" } };
  t.match(frameError([head(Op.HEARTBEAT), msgpack.encode(hb)]), /^HEARTBEAT body: vitals\.players: expected a number, got a string \("many"\)$/);
  t.match(frameError([head(Op.PING), msgpack.encode({ corr: -1 })]), /^PING body: corr: must be between 0 and \d+, got -1$/);
  t.match(frameError([head(Op.PING), msgpack.encode({ corr: 1.5 })]), /^PING body: corr: expected an integer, got number 1.5$/);
  t.match(frameError([head(Op.PONG), msgpack.encode({ corr: 1, id: "bad id!", uptimeMs: 0 })]), /^PONG body: id: expected a node id/);
});

t.test("codec - an intent or event without a key its kind needs is refused, not read as 0", async (t) => {
  const intents = sample(Op.ZONE_INTENTS).intents;
  const events = sample(Op.ZONE_EVENTS).events;
  const intentsFrame = (intent: object): Buffer[] => [head(Op.ZONE_INTENTS), msgpack.encode({ intents: [intents[0], intent] })];
  const eventsFrame = (event: object): Buffer[] => [head(Op.ZONE_EVENTS), msgpack.encode({ zone: "FORTRAX-ZONE-1", tick: 1, events: [events[0], event] })];
  t.equal(frameError(intentsFrame({ entity: 7, seq: 3, kind: "attack" })), "ZONE_INTENTS body: intents[1].target: missing key");
  t.equal(frameError(intentsFrame({ entity: 7, seq: 3, kind: "move", x: 1 })), "ZONE_INTENTS body: intents[1].y: missing key");
  t.equal(frameError(intentsFrame({ entity: 7, seq: 3, kind: "trade-offer", target: 8, items: [] })), "ZONE_INTENTS body: intents[1].gold: missing key");
  t.equal(frameError(intentsFrame({ entity: 7, seq: 3, kind: "say", text: "hi", target: 8 })), "ZONE_INTENTS body: intents[1].target: unknown key (expected entity, seq, kind, text)", "another kind's key");
  t.equal(frameError(intentsFrame({ entity: 7, seq: 3, kind: "fly" })), 'ZONE_INTENTS body: intents[1].kind: unknown kind "fly" (expected move, attack, loot, say, zone-chat, leave, dungeon-leave, trade-offer, trade-accept, trade-decline)');
  t.equal(frameError(intentsFrame({ entity: 7, seq: 3 })), "ZONE_INTENTS body: intents[1].kind: missing key");
  const stalled = (stalledMs: unknown): Buffer[] => [head(Op.ZONE_INTENTS), msgpack.encode({ intents: [], stalledMs })];
  t.equal(frameError(stalled(30_001)), "ZONE_INTENTS body: stalledMs: must be between 0 and 30000, got 30001", "a stall beyond what excuses anything");
  t.equal(frameError(stalled(-1)), "ZONE_INTENTS body: stalledMs: must be between 0 and 30000, got -1");
  t.equal(frameError(stalled("3000")), 'ZONE_INTENTS body: stalledMs: expected an integer, got a string ("3000")');
  t.equal(frameError(eventsFrame({ entity: 7, kind: "combat", from: 7, target: 8 })), "ZONE_EVENTS body: events[1].amount: missing key");
  t.equal(frameError(eventsFrame({ entity: 7, kind: "entered", y: 2, zone: "FORTRAX-ZONE-1" })), "ZONE_EVENTS body: events[1].x: missing key");
  t.equal(frameError(eventsFrame({ entity: 7, kind: "redirect" })), "ZONE_EVENTS body: events[1].zone: missing key");
  t.equal(frameError(eventsFrame({ entity: 7, kind: "refused" })), "ZONE_EVENTS body: events[1].reason: missing key");
  t.equal(frameError(eventsFrame({ entity: 7, kind: "trade-result", ok: true })), "ZONE_EVENTS body: events[1].offer: missing key");
  t.equal(frameError(eventsFrame({ entity: 7, kind: "wallet", gold: 1, items: [] })), "ZONE_EVENTS body: events[1].kinds: missing key");
  t.match(frameError(eventsFrame({ entity: 7, kind: "teleported", x: 1, y: 2 })), /^ZONE_EVENTS body: events\[1\]\.kind: unknown kind "teleported" \(expected entered, /);
});
