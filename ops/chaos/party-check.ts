// The chaos suite's verdict on parties: the party each bot was last told it is in (SMSG_PARTY,
// pushed after every change the database acknowledged, and again after a resume) is the party
// the database holds for its character, members and all, once the kills are over.
import type { DatabaseClient } from "../../common/db-client.ts";
import type { BotLedger, PartySeen } from "../bots/ledger.ts";

export interface PartyVerdict {
  /** Bots that were told of a party (or of none) at least once. */
  checked: number;
  /** Bots whose last word from the realm differs from the database. */
  differing: string[];
}

const shown = (p: PartySeen): string => (p.id === "" ? "no party" : `${p.id} [${p.members.join(", ")}]`);

export async function checkParties(db: Pick<DatabaseClient, "loadSocial">, ledgers: readonly BotLedger[]): Promise<PartyVerdict> {
  const differing: string[] = [];
  let checked = 0;
  for (const l of ledgers) {
    if (l.characterId === undefined || l.party === undefined) continue;
    checked++;
    const held = (await db.loadSocial(l.characterId)).party;
    const stored: PartySeen = held ? { id: held.id, members: held.members.map((m) => m.characterId).sort() } : { id: "", members: [] };
    if (shown(stored) !== shown(l.party)) differing.push(`${l.character}: told ${shown(l.party)}, the database holds ${shown(stored)}`);
  }
  return { checked, differing };
}
