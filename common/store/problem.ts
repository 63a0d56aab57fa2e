// What the integrity check reports: one broken invariant of a store, and (for an index entry)
// what it should hold, so the repair can rebuild it.
import type { Key, Table } from "./layout.ts";

type ProblemKind =
  | "corrupt" // the entry's bytes do not open
  | "index-missing" // a record without its index entry
  | "index-extra" // an index entry without its record
  | "dangling-owner" // an item whose owner does not exist
  | "gold-missing" // a character without a balance, or a balance without a character
  | "attachment" // a mail's attachment not owned by the mail
  | "gold-total" // gold held != granted - sunk
  | "membership" // a guild or party breaking its rules: leaders, sizes, members in two groups, gone characters
  | "friend-edge"; // a friendship not recorded alike on both sides, or naming a gone character

export interface Problem {
  kind: ProblemKind;
  table: Table | "*";
  key: Key;
  detail: string;
  /** For index problems: what the entry should hold (put it), or undefined (remove it). */
  want?: unknown;
}
