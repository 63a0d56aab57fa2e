// The directory is the one place a character enters or leaves the world for the social layer:
// each entry and each exit is told once, whether it comes from a select, a rebuild, another
// character of the same account, a deleted character, a logout or a new login replacing the place.
import t from "tap";
import { Directory, type Place } from "../../nodes/realm/directory.ts";

function watched(): { directory: Directory; seen: string[] } {
  const directory = new Directory();
  const seen: string[] = [];
  directory.watch({
    entered: (place, name) => seen.push(`in ${place.accountId}/${place.characterId}${name ? ` ${name}` : ""}`),
    left: (accountId, characterId) => seen.push(`out ${accountId}/${characterId}`),
    resumed: (place) => seen.push(`back ${place.accountId}/${place.characterId}`),
  });
  return { directory, seen };
}

const place = (accountId: string): Place => ({ accountId, clientNode: "CLIENT-1", placedAt: 0, expiresAt: 1e15, attachedTo: "CLIENT-1", sessionHash: `h-${accountId}` });

t.test("directory watch - every entry and exit is told once", async (t) => {
  const { directory, seen } = watched();
  const a = place("1");
  directory.put(a);
  directory.placeCharacter(a, "C1", "Z1", "Alda");
  directory.placeCharacter(a, "C1", "Z2");
  t.same(seen, ["in 1/C1 Alda"], "a zone change is not a new entry");
  directory.placeCharacter(a, "C2", "Z1", "Bran");
  t.same(seen.slice(1), ["out 1/C1", "in 1/C2 Bran"], "another character of the account: the first leaves");
  directory.clearCharacter(a);
  directory.clearCharacter(a);
  t.same(seen.slice(3), ["out 1/C2"], "a deleted character leaves once");
  directory.placeCharacter(a, "C1", "Z1");
  directory.put(place("1"));
  t.same(seen.slice(4), ["in 1/C1", "out 1/C1"], "a new login replacing the place takes the character out");
  const b = place("2");
  directory.put(b);
  directory.placeCharacter(b, "C3", "Z1");
  directory.remove("2", "h-other");
  t.equal(seen.length, 7, "ending another session of the account changes nothing");
  directory.remove("2", "h-2");
  t.same(seen.slice(7), ["out 2/C3"], "a logout takes the character out");
});

t.test("directory watch - a resume is told, and only for a character in the world", async (t) => {
  const { directory, seen } = watched();
  const a = place("1");
  directory.put(a);
  directory.resumed("1");
  t.same(seen, [], "in the lobby: nothing to tell");
  directory.placeCharacter(a, "C1", "Z1", "Alda");
  directory.resumed("1");
  directory.resumed("nobody");
  t.same(seen, ["in 1/C1 Alda", "back 1/C1"], "in the world: told once, as a resume, not an entry");
});
