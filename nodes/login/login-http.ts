// The login node's HTTP front door. For now it answers health and the realm list from the
// config; accounts and sessions come with the login issue.
import type http from "node:http";
import { sendJson } from "../../common/http.ts";
import type { RealmsConfig } from "../../config/model.ts";

export function loginRoutes(config: RealmsConfig, nodeId: string): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://login");
    if (req.method === "GET" && url.pathname === "/health") return sendJson(res, 200, { node: nodeId, ok: true });
    if (req.method === "GET" && url.pathname === "/realms") {
      return sendJson(res, 200, { realms: config.realms.map((r) => ({ name: r.name, playerCap: r.playerCap })) });
    }
    sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
  };
}
