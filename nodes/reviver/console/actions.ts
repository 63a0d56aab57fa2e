// What the operator console may do, as typed bodies of POST /api/action: each action is a map
// with exactly its keys, checked here before anything is done, so a forged body is refused whole.
import { SchemaError, int, object, optional, str, type Infer, type Schema } from "../../../common/schema.ts";

const realm = str({ min: 1, max: 64, what: "a realm name" });
const account = str({ min: 1, max: 64, what: "an account name" });
const reason = optional(str({ min: 1, max: 200, what: "a reason" }));

const ACTIONS = {
  "node.restart": object({ action: str(), node: str({ min: 1, max: 64, what: "a node id" }) }),
  "backup.take": object({ action: str(), realm }),
  "backup.verify": object({ action: str(), realm, snapshotId: int({ min: 1 }) }),
  "realm.restart": object({ action: str(), realm, inSeconds: int({ min: 0, max: 86_400 }) }),
  "realm.restart.cancel": object({ action: str(), realm }),
  "player.kick": object({ action: str(), name: account, reason }),
  "player.ban": object({ action: str(), name: account, reason }),
  /** `forMinutes` 0 lifts the mute. */
  "player.mute": object({ action: str(), name: str({ min: 1, max: 32, what: "a character name" }), forMinutes: int({ min: 0, max: 7 * 24 * 60 }) }),
  notice: object({ action: str(), realm, text: str({ min: 1, max: 200, what: "a notice of 1 to 200 characters" }) }),
} as const satisfies Record<string, Schema<{ action: string }>>;

type ActionName = keyof typeof ACTIONS;
export type ConsoleAction = { [K in ActionName]: Omit<Infer<(typeof ACTIONS)[K]>, "action"> & { action: K } }[ActionName];

/** A request the console understood but will not carry out: an unknown node, realm, account or snapshot. */
export class ActionRefused extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = "ActionRefused";
  }
}

/** Checks a parsed JSON body; throws SchemaError (a 400) for anything that is not exactly one known action. */
export function parseAction(body: unknown): ConsoleAction {
  const name = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).action : undefined;
  if (typeof name !== "string") throw new SchemaError("action", `expected one of ${Object.keys(ACTIONS).join(", ")}`);
  if (!Object.hasOwn(ACTIONS, name)) throw new SchemaError("action", `unknown action "${name.slice(0, 40)}" (expected one of ${Object.keys(ACTIONS).join(", ")})`);
  return ACTIONS[name as ActionName].parse(body) as ConsoleAction;
}
