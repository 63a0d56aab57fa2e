// The operator's mute, shared by `realm mute` (ops/mute-command.ts) and the operator console
// (nodes/reviver/console/, which audits it like its other actions): each realm node silences the
// character on every chat channel until the time runs out (0 lifts a mute). Mutes last while the
// realm node runs; a restart of it forgets them.
import { Op } from "../opcodes.ts";
import type { RealmsConfig } from "../topology.ts";
import type { Wire } from "../wire.ts";

/** Asks every realm node of the config; one line per realm says what it did. */
export async function muteCharacter(wire: Pick<Wire, "request">, config: RealmsConfig, name: string, forMs: number, by: string): Promise<string[]> {
  return Promise.all(
    config.realms.map(async (r) => {
      try {
        const a = await wire.request(r.realmNode.id, Op.CHAT_MUTE, { name, forMs, by }, 3000);
        if (!a.ok) return `${r.name}: ${a.code === "not-found" ? `no character ${name}` : `refused (${a.code}: ${a.error ?? ""})`}`;
        return `${r.name}: ${forMs === 0 ? `${name} may chat again` : `${name} muted until ${new Date(a.until ?? 0).toISOString()}`}`;
      } catch {
        return `${r.name}: realm node not answering; nothing changed`;
      }
    }),
  );
}
