// `realm bots --behavior party`: bots form parties of up to 5 with the bots that entered near
// them, through the same player messages as a person (invite by name, accept the leader's
// invitation), and talk on the party channel; nothing is refused on the way.
import t from "tap";
import type { BotsSummary } from "../../ops/bots/summary.ts";
import { logLines, startFrontDoor } from "../harness/front-door.ts";
import { spawnCli } from "../harness/realm.ts";

t.setTimeout(300_000);

const realm = await startFrontDoor(t, { kinds: ["login", "realm", "client", "zone", "database"], deadlineMs: 90_000 });
const realmNode = realm.config.realms[0]!.realmNode.id;

t.test("bots party - 7 bots form parties of at most 5, every member accepted, and they talk in them", async (t) => {
  const run = await spawnCli(t, ["bots", "--config", realm.configFile, "--players", "7", "--behavior", "party", "--duration", "25", "--json"], 240_000).done;
  t.equal(run.code, 0, "exits 0", { stderr: run.stderr });
  const s = JSON.parse(run.stdout.trim()) as BotsSummary;
  t.equal(s.inWorld, 7, "7 bots in the world when the run ends");
  t.equal(s.protocolErrors, 0, "every frame decoded");
  const changes = logLines(realm, realmNode).filter((l) => l.event === "social-change");
  const accepts = changes.filter((l) => l.action === "party-accept").length;
  const leaders = new Set(changes.filter((l) => l.action === "party-invite").map((l) => l.characterId));
  t.ok(leaders.size >= 2, `7 bots make at least 2 parties (${leaders.size} leaders)`);
  t.equal(accepts, 7 - leaders.size, `every bot that is not a leader accepted once (${accepts})`);
  const refused = Object.keys(s.refusals ?? {}).filter((k) => k.startsWith("social:"));
  t.same(refused, [], `no social request refused: ${JSON.stringify(s.refusals)}`);
  t.ok(s.economy.chatSent > 0, `lines sent: ${s.economy.chatSent}`);
});
