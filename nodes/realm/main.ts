import { runNode } from "../../common/main.ts";
import type { RealmNodeSpec } from "../../config/model.ts";

// Owns the realm's directory of who is where; placement and sessions come with the login/realm issue.
await runNode<RealmNodeSpec>(["realm"], (rt) => {
  rt.addVitals(() => ({ players: 0 }));
});
