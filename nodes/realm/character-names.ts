// The realm's rule for character names, checked before the database node is asked (which then
// only has to keep them unique per realm): 3 to 16 ASCII letters, one capital and it comes first.
// ASCII only, so no name can pose as another with look-alike letters (Cyrillic "А" for "A").
const CHARACTER_NAME = /^[A-Z][a-z]{2,15}$/;

export function characterNameProblem(name: string): string | undefined {
  if (CHARACTER_NAME.test(name)) return undefined;
  if (name.length < 3 || name.length > 16) return "a character name has 3 to 16 letters";
  if (/[^\x20-\x7e]/.test(name)) return "a character name uses the letters A-Z only, no accents or look-alikes";
  return "a character name is letters only, with one capital, first (like Arthur)";
}
