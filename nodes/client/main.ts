import { closeHttp, listenHttp, sendJson } from "../../common/http.ts";
import { runNode } from "../../common/main.ts";
import type { ClientNodeSpec } from "../../config/model.ts";

// Holds the player endpoint's port; the WebSocket protocol comes with the client-node issue.
await runNode<ClientNodeSpec>(["client"], async (rt, spec) => {
  const server = await listenHttp(spec.ws, (_req, res) => sendJson(res, 426, { error: "upgrade to a WebSocket", node: spec.id }));
  rt.addVitals(() => ({ players: 0 }));
  rt.onStop(() => closeHttp(server));
});
