// Damage on disk, the way a bad sector would do it: one byte changed inside every copy of a text
// in a store file (old page versions included), so the entry's checksum no longer matches.
import { readFileSync, writeFileSync } from "node:fs";

/** Changes one byte inside every copy of `text` in the file; returns how many. */
export function corrupt(file: string, text: string): number {
  const data = readFileSync(file);
  const needle = Buffer.from(text);
  let n = 0;
  for (let at = data.indexOf(needle); at >= 0; at = data.indexOf(needle, at + 1)) {
    data[at + needle.length - 1] = data[at + needle.length - 1]! ^ 0x01; // still valid JSON, wrong checksum
    n++;
  }
  writeFileSync(file, data);
  return n;
}
