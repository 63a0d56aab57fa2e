import t from "tap";
import { characterNameProblem } from "../../nodes/realm/character-names.ts";

t.test("character names - 3 to 16 ASCII letters, one capital, first", async (t) => {
  for (const good of ["Bob", "Arthur", "Percivaldemontes"]) t.equal(characterNameProblem(good), undefined, good);
  const bad = ["Al", "Abcdefghijklmnopq", "bob", "BOb", "Bob1", "Bo b", "Bo-b", "O'Neil", "\u0410rthur", "Arth\u0443r", "\uff21rthur", "Zo\u00eb", "Bob\u200b", "Bo\u0301b", ""];
  for (const name of bad) t.type(characterNameProblem(name), "string", `${JSON.stringify(name)}: ${characterNameProblem(name)}`);
  t.match(characterNameProblem("\u0410rthur"), /A-Z only/, "look-alikes get a message that says so");
});
