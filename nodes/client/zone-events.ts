// Reliable events from the zones and instances (chat, combat, loot, corrections, handoffs), turned into
// player messages in the order the zone produced them. They ride in the player's next frame,
// ahead of its world update, and are never cut by the byte budget.
import { ChatChannel, CORRECT_REASONS, PlayerOp } from "../../common/player-opcodes.ts";
import { writeServer } from "../../common/player-codec.ts";
import type { ZoneEvent, ZoneEventOf } from "../../common/protocol/zone.ts";
import { copyOf, nodeOfWorld } from "../../common/world-address.ts";
import type { Player } from "./player.ts";
import type { RealmHub } from "./realm-hub.ts";

interface EventRoutes {
  /** A zone took a character in: the player waiting for it enters the world. */
  entered(hub: RealmHub, ev: ZoneEventOf<"entered">, zone: string): void;
  /** The player's character changed zone (handoff) or world (into or out of a dungeon): its intents go there from now on. */
  redirected(p: Player, ev: ZoneEventOf<"redirect">): void;
  /** The character left the game: the connection ends. */
  left(p: Player, reason: string): void;
}

export function relayZoneEvents(hub: RealmHub, zone: string, events: readonly ZoneEvent[], routes: EventRoutes): void {
  const node = nodeOfWorld(zone);
  const copy = copyOf(zone);
  for (const ev of events) {
    const p = hub.byEntity.get(ev.entity);
    if (ev.kind === "entered") {
      routes.entered(hub, ev, zone);
      continue;
    }
    // a dropped player's events are not kept: a resume starts from a full world state; but where
    // it went is, so the resume asks the right world (an instance is not among the realm's zones)
    if (p && ev.kind === "redirect" && ev.dungeon !== undefined && p.phase === "dropped") routes.redirected(p, ev);
    if (!p || !p.inWorld) continue;
    // the zone holding the player speaks from another copy: the player is in that layer now
    if (ev.kind !== "redirect" && hub.realm.zones[p.zone]?.id === node && copy !== p.copy) hub.moveToLayer(p, copy);
    const w = p.events;
    switch (ev.kind) {
      case "correct": {
        // a place in a world the player has just left (into or out of a dungeon) means nothing in the new one
        if (p.dungeon ? zone !== p.dungeon.world : !hub.isRealmWorld(zone)) break;
        const q = hub.quantizerOf(p);
        p.guard.placeAt(ev.x, ev.y, Date.now());
        p.corrections++;
        writeServer(w, { op: PlayerOp.SMSG_CORRECT, qx: q.qx(ev.x), qy: q.qy(ev.y), reason: correctReason(ev.reason), seq: p.moveSeq });
        break;
      }
      case "say":
      case "zone-chat":
        writeServer(w, { op: PlayerOp.SMSG_CHAT, channel: ev.kind === "say" ? ChatChannel.SAY : ChatChannel.ZONE, from: ev.from, fromName: ev.fromName, text: ev.text });
        break;
      case "combat":
        writeServer(w, { op: PlayerOp.SMSG_COMBAT, from: ev.from, target: ev.target, amount: ev.amount });
        break;
      case "loot":
        writeServer(w, { op: PlayerOp.SMSG_LOOT, target: ev.target, item: ev.amount, itemId: ev.items[0] ?? "", opId: ev.opId });
        break;
      case "trade-offered":
        writeServer(w, { op: PlayerOp.SMSG_TRADE_OFFERED, offer: ev.offer, from: ev.from, fromName: ev.fromName, gold: ev.gold, items: ev.items });
        break;
      case "trade-result":
        writeServer(w, {
          op: PlayerOp.SMSG_TRADE_RESULT,
          offer: ev.offer,
          ok: ev.ok,
          // a refused trade moved nothing: the zone sends no amounts with it
          opId: ev.opId ?? "",
          goldChange: ev.amount ?? 0,
          gold: ev.gold ?? 0,
          received: ev.received ?? [],
          given: ev.given ?? [],
          reason: ev.reason ?? "",
        });
        break;
      case "wallet":
        writeServer(w, { op: PlayerOp.SMSG_WALLET, gold: ev.gold, items: ev.items.map((id, n) => ({ id, kind: ev.kinds[n] ?? "" })) });
        break;
      case "notice":
        writeServer(w, { op: PlayerOp.SMSG_NOTICE, kind: ev.amount, seconds: 0, text: ev.text });
        break;
      case "refused":
        writeServer(w, { op: PlayerOp.SMSG_REFUSED, reason: ev.reason });
        break;
      case "redirect":
        routes.redirected(p, ev);
        // a dungeon's way in or out said so with SMSG_WORLD_CHANGED
        if (ev.dungeon === undefined && ev.x === undefined) writeServer(w, { op: PlayerOp.SMSG_ZONE_CHANGED, zone: p.zone });
        break;
      case "left":
        writeServer(w, { op: PlayerOp.SMSG_LEFT, reason: ev.reason });
        routes.left(p, ev.reason);
        break;
    }
  }
}

const isCorrectReason = (reason: string): reason is keyof typeof CORRECT_REASONS => Object.hasOwn(CORRECT_REASONS, reason);

/** The SMSG_CORRECT code of the zone's reason: one the player protocol does not name is "other". */
function correctReason(reason: string): number {
  return isCorrectReason(reason) ? CORRECT_REASONS[reason] : CORRECT_REASONS.other;
}

/** Sends what is queued for the player now (before closing it, say). */
export function flushEvents(p: Player): void {
  if (p.events.pos === 0) return;
  p.send(p.events.take());
  p.events.reset();
}
