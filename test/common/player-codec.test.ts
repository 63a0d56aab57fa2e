// The player codec: every message survives a round trip, the layouts match the examples of
// common/player-protocol.md byte for byte, and hostile input is refused with a reason.
import t from "tap";
import { ByteReader, ByteWriter, unzigzag, zigzag } from "../../common/bytes.ts";
import { ChatChannel, DUNGEON_REFUSAL_CODES, DungeonState, FRIEND_STATE_CODES, FriendAction, GUILD_RANK_CODES, GuildAction, PartyAction, PlayerOp, SOCIAL_CODES, UpdateBit, WorldSection } from "../../common/player-opcodes.ts";
import { decodeClient, decodeServerFrame, encodeClient, encodeServer, UnknownOpcodeError, WireFormatError, WorldHeaderState, writeServer, type ClientMessage } from "../../common/player-codec.ts";
import { changeBytes, changeMask, handleBytes, MAX_CHANGE_BYTES, readHandle, readSpawn, readUpdate, spawnBytes, writeChange, writeHandle, writeSpawn, type SpawnColumns } from "../../common/world-entries.ts";
import { ClockSync, WorldView } from "../../common/player-view.ts";

/** A frame as the first of a connection decodes it. */
const decodeFresh = (frame: Uint8Array) => decodeServerFrame(frame, new WorldHeaderState());

t.test("player codec - every CMSG round-trips", async (t) => {
  const token = Uint8Array.from({ length: 32 }, (_, i) => i);
  const all: ClientMessage[] = [
    { op: PlayerOp.CMSG_HELLO, version: 1, session: "abc-é" },
    { op: PlayerOp.CMSG_RESUME, version: 1, token },
    { op: PlayerOp.CMSG_PING, clientTime: 1_700_000_000_123.25 },
    { op: PlayerOp.CMSG_CHAR_LIST },
    { op: PlayerOp.CMSG_CHAR_CREATE, name: "Arthur" },
    { op: PlayerOp.CMSG_CHAR_DELETE, characterId: "c-1" },
    { op: PlayerOp.CMSG_CHAR_SELECT, characterId: "c-1" },
    { op: PlayerOp.CMSG_MOVE, qx: 65535, qy: 0, heading: 200, seq: 70000, corrections: 255 },
    { op: PlayerOp.CMSG_ATTACK, target: 0xffffffff },
    { op: PlayerOp.CMSG_LOOT, target: 7 },
    { op: PlayerOp.CMSG_SAY, text: "hello" },
    { op: PlayerOp.CMSG_ZONE_CHAT, text: "" },
    { op: PlayerOp.CMSG_LEAVE },
    { op: PlayerOp.CMSG_TRADE_OFFER, target: 12, gold: 1e12, items: ["I1.0", "I1.1"] },
    { op: PlayerOp.CMSG_TRADE_ACCEPT, offer: 3, gold: 0, items: [] },
    { op: PlayerOp.CMSG_TRADE_DECLINE, offer: 0xffffffff },
    { op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: "crypt-gate" },
    { op: PlayerOp.CMSG_DUNGEON_LEAVE },
  ];
  for (const m of all) t.same(decodeClient(encodeClient(m)), m, `${m.op} round-trips`);
  t.equal(encodeClient({ op: PlayerOp.CMSG_MOVE, qx: 1, qy: 2, heading: 3, seq: 100, corrections: 0 }).length, 8, "a move is 8 bytes while its number fits one byte");
});

t.test("player codec - hostile frames are refused with a reason", async (t) => {
  t.throws(() => decodeClient(Buffer.from([])), WireFormatError, "empty");
  t.throws(() => decodeClient(Buffer.from([0xee])), UnknownOpcodeError, "unknown opcode");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.SMSG_WORLD])), UnknownOpcodeError, "an SMSG sent by a player");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_MOVE, 1, 2, 3])), WireFormatError, "truncated");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_LEAVE, 0])), /left over/, "trailing bytes");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_SAY, 0xff, 0xff, 0x7f])), /over 256/, "a length past the limit");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_SAY, 2, 0xc3, 0x28])), /not UTF-8/, "bad UTF-8");
  t.throws(() => decodeClient(encodeClient({ op: PlayerOp.CMSG_RESUME, version: 1, token: new Uint8Array(5) })), /32/, "a short token");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_ATTACK, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01])), /8 bytes/, "an endless varint");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_TRADE_OFFER, 1, 0, 9])), /items/, "more than 8 items in a trade");
  t.throws(() => decodeClient(new ByteWriter().u8(PlayerOp.CMSG_TRADE_ACCEPT).varint(1).varint(2e12).varint(0).take()), /gold/, "more gold than can exist");
});

t.test("player codec - the economy's server messages round-trip", async (t) => {
  const all: Parameters<typeof encodeServer>[0][] = [
    { op: PlayerOp.SMSG_LOOT, target: 5, item: 101, itemId: "I3.9", opId: "op-1" },
    { op: PlayerOp.SMSG_TRADE_OFFERED, offer: 7, from: 9, fromName: "Alda", gold: 30, items: ["I1.0"] },
    { op: PlayerOp.SMSG_TRADE_RESULT, offer: 7, ok: true, opId: "op-2", goldChange: -30, gold: 70, received: ["I1.0"], given: [], reason: "" },
    { op: PlayerOp.SMSG_WALLET, gold: 12, items: [{ id: "I1.0", kind: "item-101" }] },
    { op: PlayerOp.SMSG_NOTICE, kind: 2, seconds: 300, text: "the realm restarts in 5 minutes" },
    { op: PlayerOp.SMSG_CORRECT, qx: 100, qy: 65535, reason: 1, seq: 70000 },
  ];
  for (const m of all) t.same(decodeFresh(encodeServer(m)), [m], `${m.op} round-trips`);
});

t.test("player codec - social and chat messages round-trip, and oversized lines are refused", async (t) => {
  const clients: ClientMessage[] = [
    { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "Bran", text: "psst" },
    { op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: "x".repeat(256) },
    { op: PlayerOp.CMSG_PARTY, action: PartyAction.ACCEPT, arg: "P-123" },
    { op: PlayerOp.CMSG_FRIEND, action: FriendAction.REMOVE, name: "Aria" },
    { op: PlayerOp.CMSG_GUILD, action: GuildAction.RANK, arg: "Aria", rank: GUILD_RANK_CODES.officer },
  ];
  for (const m of clients) t.same(decodeClient(encodeClient(m)), m, `${m.op} round-trips`);
  const servers: Parameters<typeof encodeServer>[0][] = [
    { op: PlayerOp.SMSG_SOCIAL_RESULT, request: PlayerOp.CMSG_GUILD, action: GuildAction.CREATE, code: SOCIAL_CODES["name-taken"], text: "a guild of that name exists" },
    { op: PlayerOp.SMSG_PARTY, id: "P1", leader: "C1", members: [{ characterId: "C1", name: "Aria", online: true }, { characterId: "C2", name: "Bran", online: false }] },
    { op: PlayerOp.SMSG_PARTY, id: "", leader: "", members: [] },
    { op: PlayerOp.SMSG_GUILD, id: "G1", name: "Night Watch", members: [{ characterId: "C1", name: "Aria", online: true, rank: 1 }] },
    { op: PlayerOp.SMSG_FRIENDS, friends: [{ characterId: "C2", name: "Bran", online: true, state: FRIEND_STATE_CODES.asked }] },
    { op: PlayerOp.SMSG_INVITES, party: [{ partyId: "P1", leaderName: "Aria" }], guild: [{ guildId: "G1", name: "Night Watch" }] },
    { op: PlayerOp.SMSG_PRESENCE, characterId: "C2", name: "Bran", online: false },
  ];
  for (const m of servers) t.same(decodeFresh(encodeServer(m)), [m], `${m.op} round-trips`);
  t.equal(decodeClient(encodeClient({ op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: "x".repeat(300) })).op, PlayerOp.CMSG_CHAT, "a line past 256 bytes decodes, for the client node to refuse by name");
  t.throws(() => decodeClient(encodeClient({ op: PlayerOp.CMSG_CHAT, channel: ChatChannel.GLOBAL, to: "", text: "x".repeat(401) })), /over 400/, "a line past 400 bytes is malformed");
  t.throws(() => decodeClient(encodeClient({ op: PlayerOp.CMSG_CHAT, channel: ChatChannel.WHISPER, to: "B".repeat(65), text: "hi" })), /over 64/, "a name past 64 bytes");
});

t.test("player codec - the protocol document's example decodes as it says", async (t) => {
  const first = Buffer.from("50 0c e807 0100e802 01 0301a7".replace(/ /g, ""), "hex");
  const next = Buffer.from("50 04 32 01 0301a7".replace(/ /g, ""), "hex");
  const header = new WorldHeaderState();
  const step = { handle: 3, mask: UpdateBit.STEP, dx: 2, dy: -1, heading: 0, hp: 0, flags: 0, level: 0 };
  t.same(decodeServerFrame(first, header), [{ op: PlayerOp.SMSG_WORLD, time: 1000, ticks: [[0, 180]], despawns: [], spawns: [], updates: [step] }]);
  t.same(decodeServerFrame(next, header), [{ op: PlayerOp.SMSG_WORLD, time: 1050, ticks: [[0, 181]], despawns: [], spawns: [], updates: [step] }], "the next frame: 50 ms and one tick later, zones left out");
  const written = new WorldHeaderState();
  for (const [frame, time, tick] of [[first, 1000, 180], [next, 1050, 181]] as const) {
    const w = new ByteWriter();
    const at = written.write(w, time, [0], [tick]);
    w.buf[at]! |= WorldSection.UPDATES;
    w.varint(1);
    writeHandle(w, 3);
    writeChange(w, UpdateBit.STEP, 2, -1, 0, 0, 0, 0);
    t.same(w.take(), frame, `the encoder writes exactly the bytes of the frame at ${time} ms`);
  }
  t.same([zigzag(-1), zigzag(2), unzigzag(3), unzigzag(4)], [1, 4, -2, 2], "zigzag");
});

t.test("player codec - SMSG_WORLD entries take the bytes their sizes say, and read back", async (t) => {
  const spawn = { handle: 200, id: 0xffffffff, kind: 3, template: 65535, level: 255, qx: 65535, qy: 1, heading: 128, hp: 255, flags: 15 };
  // an entity table's columns, the spawned entity in slot 1
  const { id, kind, template, level, qx, qy, heading, hp, flags } = spawn;
  const columns: SpawnColumns = { id: [0, id], kind: [0, kind], template: [0, template], level: [0, level], qx: [0, qx], qy: [0, qy], heading: [0, heading], hp: [0, hp], flags: [0, flags] };
  const sw = new ByteWriter();
  writeSpawn(sw, spawn.handle, columns, 1);
  t.equal(sw.pos, spawnBytes(spawn.handle, spawn.id, spawn.template), "a spawn's size");
  t.same(readSpawn(new ByteReader(sw.take())), spawn, "a spawn reads back");
  const hw = new ByteWriter();
  writeHandle(hw, 20_000);
  t.equal(hw.pos, handleBytes(20_000), "a handle's size");
  t.equal(readHandle(new ByteReader(hw.take())), 20_000);
  const changes: [number, number, boolean, boolean, boolean, boolean][] = [
    [1, -1, false, false, false, false],
    [7, -8, true, false, false, false],
    [8, 0, false, true, false, false],
    [-65535, 65535, true, true, true, true],
    [0, 0, false, false, true, true],
  ];
  for (const [dx, dy, ...changed] of changes) {
    const mask = changeMask(dx, dy, ...changed);
    const w = new ByteWriter();
    writeHandle(w, 3);
    writeChange(w, mask, dx, dy, 9, 10, 11, 12);
    t.equal(w.pos, handleBytes(3) + changeBytes(mask, dx, dy), `${dx},${dy} mask ${mask}: its size`);
    t.ok(changeBytes(mask, dx, dy) <= MAX_CHANGE_BYTES, "within the most a change takes");
    const u = readUpdate(new ByteReader(w.take()));
    t.same([u.handle, u.mask, u.dx, u.dy], [3, mask, dx, dy], `${dx},${dy}: reads back`);
  }
  t.equal(changeMask(0, 0, false, false, false, false), 0, "no change, no mask");
  t.equal(changeMask(8, 0, false, false, false, false), UpdateBit.MOVE, "a step of 8 quanta is a move");
  t.equal(changeMask(-8, 7, false, false, false, false), UpdateBit.STEP, "-8..7 fits a step");
});

t.test("player view - spawns, deltas (mod 65536), despawns, handle reuse; clock sync", async (t) => {
  const v = new WorldView();
  const spawn = { id: 9, kind: 2, template: 3, level: 4, qx: 65534, qy: 1, heading: 7, hp: 255, flags: 1 };
  v.apply({ time: 1, ticks: [[0, 1]], despawns: [], spawns: [{ handle: 0, ...spawn }], updates: [] });
  v.apply({ time: 2, ticks: [[0, 2]], despawns: [], spawns: [], updates: [{ handle: 0, mask: UpdateBit.MOVE | UpdateBit.HP, dx: 3, dy: -2, heading: 0, hp: 100, flags: 0, level: 0 }] });
  t.match(v.get(9), { qx: 1, qy: 65535, hp: 100, heading: 7 }, "deltas wrap around the u16 grid");
  v.apply({ time: 3, ticks: [], despawns: [0], spawns: [{ handle: 0, ...spawn, id: 10 }], updates: [] });
  t.same([...v.entities().keys()], [10], "a handle freed by a despawn is reused by a spawn of the same update");
  t.throws(() => v.apply({ time: 4, ticks: [], despawns: [], spawns: [], updates: [{ handle: 5, mask: 0, dx: 0, dy: 0, heading: 0, hp: 0, flags: 0, level: 0 }] }), /unknown handle/);
  const c = new ClockSync();
  c.add(1000, 1510, 1511, 1021);
  c.add(2000, 2530, 2531, 2061);
  t.same([c.rttMs, c.offsetMs], [20, 500], "the fastest exchange gives rtt and offset");
  const welcome = encodeServer({ op: PlayerOp.SMSG_WELCOME, version: 1, serverTime: 5, accountId: "a", realm: "R", tickHz: 20, worldWidth: 4000, worldHeight: 4000, cell: 50, vision: 100, budget: 1000, zones: ["Z1", "Z2"], regions: [[0, 0, 2000, 4000], [2000, 0, 4000, 4000]] });
  t.same((decodeFresh(welcome)[0] as { regions: unknown }).regions, [[0, 0, 2000, 4000], [2000, 0, 4000, 4000]], "the welcome carries each zone's region");
  const two = Buffer.concat([welcome, writeServer(new ByteWriter(), { op: PlayerOp.SMSG_VIEW_RESET }).take()]);
  t.same(decodeFresh(two).map((m) => m.op), [PlayerOp.SMSG_WELCOME, PlayerOp.SMSG_VIEW_RESET], "messages back to back in one frame");
});

t.test("player codec - the dungeon messages round-trip, and an entrance name is bounded", async (t) => {
  const all: Parameters<typeof encodeServer>[0][] = [
    { op: PlayerOp.SMSG_DUNGEON, state: DungeonState.QUEUED, entrance: "crypt-gate", position: 3, code: 0, text: "" },
    { op: PlayerOp.SMSG_DUNGEON, state: DungeonState.REFUSED, entrance: "crypt-gate", position: 0, code: DUNGEON_REFUSAL_CODES["too-far"], text: "walk to the entrance" },
    { op: PlayerOp.SMSG_WORLD_CHANGED, dungeon: "mine", width: 600, height: 300, cell: 50, qx: 2184, qy: 32768 },
    { op: PlayerOp.SMSG_WORLD_CHANGED, dungeon: "", width: 4000, height: 4000, cell: 100, qx: 65535, qy: 0 },
  ];
  for (const m of all) t.same(decodeFresh(encodeServer(m)), [m], `${m.op} round-trips`);
  t.same(decodeFresh(Buffer.concat([encodeServer(all[0]!), encodeServer(all[2]!)])), [all[0], all[2]], "back to back in one frame");
  t.equal(decodeClient(encodeClient({ op: PlayerOp.CMSG_DUNGEON_ENTER, entrance: "x".repeat(200) })).op, PlayerOp.CMSG_DUNGEON_ENTER, "a long name still decodes: the client node refuses it without a kick");
  t.throws(() => decodeClient(new ByteWriter().u8(PlayerOp.CMSG_DUNGEON_ENTER).varint(300).take()), /over 256/, "past a chat line it is malformed");
  t.throws(() => decodeClient(Buffer.from([PlayerOp.CMSG_DUNGEON_LEAVE, 1])), /left over/, "a leave carries nothing");
});
