// kill -9 of the database node in the middle of a stream of guild operations: after the restart
// every acknowledged operation is there with the answer it got, every guild is exactly what its
// acknowledged operations made it, and the store check (one leader, one guild per character,
// names and indexes) is clean. Each worker drives one guild alone, so it knows what it must be.
import { randomUUID } from "node:crypto";
import t from "tap";
import { DbError } from "../../common/errors.ts";
import type { GuildView } from "../../common/db-client.ts";
import { DatabasePair } from "../harness/database-pair.ts";
import { until } from "../harness/realm.ts";

const GUILDS = 12;
const MEMBERS = 4;
const TOTAL = 2400;
const KILL_AT = 800;

type Change = Parameters<DatabasePair["client"]["guild"]>[0];
type Shape = { members: Record<string, string>; invited: string[] };
const shapeOf = (g: GuildView | undefined): Shape => ({ members: Object.fromEntries((g?.members ?? []).map((m) => [m.characterId, m.rank])), invited: [...(g?.invited ?? [])].sort() });

t.test("guilds - kill -9 during a stream of guild operations: every acknowledged one is kept, invariants hold", async (t) => {
  const pair = await DatabasePair.serving(t);
  const db = pair.client;
  const letter = (n: number): string => String.fromCharCode(97 + n);
  const acked = new Map<string, boolean>();
  const wrong: string[] = [];
  let retries = 0;
  let issued = 0;

  /** One operation, retried with the same id until the database answers it (a definite refusal is an answer too). */
  const perform = async (change: Change): Promise<GuildView | undefined> => {
    const opId = randomUUID();
    for (;;) {
      try {
        const g = await db.guild(change, opId);
        acked.set(opId, true);
        return g;
      } catch (err) {
        if (!(err instanceof DbError)) throw err;
        if (err.code === "unavailable" || err.code === "expired") {
          retries++;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        acked.set(opId, false);
        wrong.push(`${change.action} refused: ${err.code} ${err.message}`);
        return undefined;
      }
    }
  };

  const workers = await Promise.all(
    Array.from({ length: GUILDS }, async (_, w) => {
      const chars = [];
      for (let k = 0; k <= MEMBERS; k++) chars.push((await db.createCharacter(`acct-${w}-${k}`, `Warden ${letter(w)} ${letter(k)}`, 2, 2)).id);
      const [leader, ...members] = chars as [string, ...string[]];
      const guild = await perform({ characterId: leader, action: "create", name: `Crash Guild ${w}` });
      return { leader, members, guildId: guild!.id, model: { members: { [leader]: "leader" }, invited: [] } as Shape };
    }),
  );

  /** The worker's guild, step by step: invite, join, promote, then leave or be kicked; each answer must be the model. */
  const drive = async (wk: (typeof workers)[number]): Promise<void> => {
    for (let step = 0; issued < TOTAL; step++) {
      issued++;
      const m = wk.members[Math.floor(step / 4) % MEMBERS]!;
      const cycle = Math.floor(step / (4 * MEMBERS));
      const plan: [Change, (s: Shape) => void][] = [
        [{ characterId: wk.leader, action: "invite", target: m }, (s) => void s.invited.push(m)],
        [{ characterId: m, action: "join", guildId: wk.guildId }, (s) => ((s.members[m] = "member"), (s.invited = s.invited.filter((i) => i !== m)))],
        [{ characterId: wk.leader, action: "rank", target: m, rank: "officer" }, (s) => void (s.members[m] = "officer")],
        cycle % 2 === 0 ? [{ characterId: m, action: "leave" }, (s) => void delete s.members[m]] : [{ characterId: wk.leader, action: "kick", target: m }, (s) => void delete s.members[m]],
      ];
      const [change, apply] = plan[step % 4]!;
      const answer = await perform(change);
      apply(wk.model);
      wk.model.invited.sort();
      // the actor's guild: a member that left has none
      const expect = change.characterId === m && change.action === "leave" ? shapeOf(undefined) : wk.model;
      if (JSON.stringify(shapeOf(answer)) !== JSON.stringify(expect)) wrong.push(`${change.action}: answered ${JSON.stringify(shapeOf(answer))}, expected ${JSON.stringify(expect)}`);
    }
  };
  const stream = Promise.all(workers.map(drive));

  await until(`${KILL_AT} acknowledged guild operations`, 60_000, () => (acked.size >= KILL_AT ? true : undefined));
  await pair.stop(pair.dbId, "SIGKILL");
  const killedWith = acked.size;
  t.ok(issued + GUILDS > killedWith, `operations were in flight at the kill (${issued + GUILDS - killedWith} of them)`);
  t.comment(`kill -9 after ${killedWith} acknowledged guild operations`);
  pair.launch(pair.dbId);
  await pair.waitServing(30_000);
  await stream;
  t.equal(acked.size, TOTAL + GUILDS, `every operation was answered, ${acked.size - killedWith} after the restart (${retries} refused as unavailable and retried)`);
  t.same(wrong, [], "every answer, before and after the kill, was the guild its operations made");

  const stats = await db.stats();
  t.ok(stats.recovery.some((l) => l.startsWith("database-crashed")), "the restart knew it followed a crash");
  t.ok(stats.recovery.some((l) => l.startsWith("integrity-ok")), "and found the store sound");
  const statuses = await Promise.all([...acked.keys()].map((opId) => db.opStatus(opId).catch(() => undefined)));
  t.equal(statuses.filter((s, i) => s !== undefined && s.ok === [...acked.values()][i]).length, acked.size, "every acknowledged operation is recorded with the answer it got");
  for (const wk of workers) {
    t.same(shapeOf((await db.loadSocial(wk.leader)).guild), wk.model, `guild ${wk.guildId} is what its acknowledged operations made it`);
  }
  const check = await db.check();
  t.equal(check.problems, 0, `the invariants hold ${check.sample.join("; ")}`);
  t.equal(check.counts.guilds, GUILDS);
});
