// Friends: request, accept, decline, remove. A friendship is stored on both sides (friends
// `<a>/<b>` and `<b>/<a>`): `requested` on the asker's side, `asked` on the other's, `friend` on
// both once accepted. Asking someone who already asked makes friends at once. Each action is one
// operation that answers with the actor's friends list as it left it.
import type { Op } from "../../common/opcodes.ts";
import type { Body } from "../../common/protocol/index.ts";
import { FRIENDS_MAX } from "../../common/protocol/social.ts";
import type { CharacterRecord } from "../../common/store/records.ts";
import type { FriendState } from "../../common/store/social-records.ts";
import type { OpContext, Outcome } from "./op-context.ts";
import { friendEdge, friendEdges, friendsOf, mustCharacter, mustTarget, Refused, setFriendEdge, settle } from "./social-store.ts";

type FriendChange = Body<typeof Op.DB_FRIEND>;

export const friendKind = (b: FriendChange): string => `friend-${b.action}`;

export function friendChange(ctx: OpContext, b: FriendChange): Outcome {
  return settle(() => {
    const actor = mustCharacter(ctx, b.characterId);
    const target = mustTarget(ctx, actor, b.target);
    const edge = friendEdge(ctx, actor.id, target.id)?.state;
    switch (b.action) {
      case "request":
        request(ctx, actor, target, edge);
        break;
      case "accept":
        mustBeAsked(actor, target, edge);
        befriend(ctx, actor, target);
        break;
      case "decline":
        mustBeAsked(actor, target, edge);
        setFriendEdge(ctx, actor.id, target.id, undefined);
        break;
      case "remove":
        if (edge === undefined) throw new Refused("not-found", `${target.name} is not on ${actor.name}'s friends list`);
        setFriendEdge(ctx, actor.id, target.id, undefined);
        break;
    }
    return { friends: friendsOf(ctx, actor.id) };
  });
}

/** How many of the character's friendships are in each state. */
function tally(ctx: OpContext, characterId: string): Record<FriendState, number> {
  const n: Record<FriendState, number> = { friend: 0, requested: 0, asked: 0 };
  for (const [, state] of friendEdges(ctx, characterId)) n[state]++;
  return n;
}

/** Each side may hold FRIENDS_MAX friends, and as many requests each way (so a flood of requests cannot grow a list without bound). */
function mustHaveRoom(ctx: OpContext, c: CharacterRecord, state: FriendState): void {
  if (tally(ctx, c.id)[state] >= FRIENDS_MAX) {
    const what = state === "friend" ? "friends" : state === "requested" ? "friend requests out" : "friend requests waiting";
    throw new Refused("too-many-friends", `${c.name} has ${FRIENDS_MAX} ${what}, the most allowed`);
  }
}

function request(ctx: OpContext, actor: CharacterRecord, target: CharacterRecord, edge: FriendState | undefined): void {
  if (edge === "friend") throw new Refused("already-friends", `${actor.name} and ${target.name} are already friends`);
  if (edge === "requested") return; // asked before: it stands
  if (edge === "asked") return befriend(ctx, actor, target);
  mustHaveRoom(ctx, actor, "requested");
  mustHaveRoom(ctx, target, "asked");
  setFriendEdge(ctx, actor.id, target.id, "requested");
}

function mustBeAsked(actor: CharacterRecord, target: CharacterRecord, edge: FriendState | undefined): void {
  if (edge === "friend") throw new Refused("already-friends", `${actor.name} and ${target.name} are already friends`);
  if (edge !== "asked") throw new Refused("not-invited", `${target.name} has not asked ${actor.name} to be friends`);
}

function befriend(ctx: OpContext, actor: CharacterRecord, target: CharacterRecord): void {
  mustHaveRoom(ctx, actor, "friend");
  mustHaveRoom(ctx, target, "friend");
  setFriendEdge(ctx, actor.id, target.id, "friend");
}

/** A character deleted: gone from every friends list, its own and the others'. */
export function forgetFriends(ctx: OpContext, characterId: string): void {
  for (const [other] of friendEdges(ctx, characterId)) setFriendEdge(ctx, characterId, other, undefined);
}
