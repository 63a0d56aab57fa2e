// The login node's HTTP routes: parse and check the request, hand it to the FrontDoor, answer
// JSON. A request that breaks anything here gets a 4xx with `{error}`; the node keeps serving.
import type http from "node:http";
import { sendJson } from "../../common/http.ts";
import { errorFields, type Log } from "../../common/log.ts";
import { object, str } from "../../common/schema.ts";
import { isPoolTimeout } from "../../common/postgres/connect.ts";
import { busyRefusal, type Answer, type FrontDoor } from "./front-door.ts";
import { HttpRefusal, readJson } from "../../common/json-body.ts";
import { PlayPage } from "./play-page.ts";

// field limits, before any rule of their own: nothing longer is looked at
const loginRequest = object({ username: str({ min: 1, max: 64 }), password: str({ min: 1, max: 128 }), realm: str({ min: 1, max: 64 }) });
const registerRequest = object({ username: str({ min: 1, max: 64 }), password: str({ min: 1, max: 128 }) });
const logoutRequest = object({ session: str({ min: 1, max: 128 }) });

// a browser game page on another origin may call us: nothing here rides on cookies, so any origin may
const CORS = { "access-control-allow-origin": "*", "access-control-expose-headers": "retry-after" };

function answer(res: http.ServerResponse, a: Answer): void {
  for (const [k, v] of Object.entries({ ...CORS, ...a.headers })) res.setHeader(k, v);
  sendJson(res, a.status, a.body);
}

export function loginRoutes(door: FrontDoor, nodeId: string, log: Log, play?: PlayPage): http.RequestListener {
  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<Answer | undefined> => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://login");
    } catch {
      return { status: 400, body: { error: "the request target is not a valid URL" } };
    }
    const ip = req.socket.remoteAddress ?? "unknown";
    const method = req.method ?? "GET";
    const path = url.pathname;
    if (method === "OPTIONS") {
      // a browser's preflight before a JSON POST
      res.writeHead(204, { ...CORS, "access-control-allow-methods": "GET, POST", "access-control-allow-headers": "content-type", "access-control-max-age": "600" });
      res.end();
      return undefined;
    }
    if (play && PlayPage.handles(path)) {
      // the browser game (a fixed list of files, see play-page.ts)
      await play.serve(method, path, res);
      return undefined;
    }
    if (path === "/health" && method === "GET") return { status: 200, body: { node: nodeId, ok: true } };
    if (path === "/realms" && method === "GET") return door.realms();
    if (path === "/login" && method === "POST") return door.login(ip, await readJson(req, loginRequest));
    if (path === "/register" && method === "POST") return door.register(ip, await readJson(req, registerRequest));
    if (path === "/logout" && method === "POST") return door.logout(ip, (await readJson(req, logoutRequest)).session);
    if (path.startsWith("/queue/") && method === "GET") return door.pollQueue(ip, decodeURIComponent(path.slice("/queue/".length)));
    const known = ["/health", "/realms", "/login", "/register", "/logout"].includes(path) || path.startsWith("/queue/");
    if (known) {
      res.setHeader("allow", path === "/login" || path === "/register" || path === "/logout" ? "POST" : "GET");
      return { status: 405, body: { error: `${method} is not allowed on ${path}` } };
    }
    return { status: 404, body: { error: `no route ${method} ${path}` } };
  };
  return (req, res) => {
    route(req, res).then(
      (a) => a && answer(res, a),
      (err: unknown) => {
        if (err instanceof HttpRefusal) return answer(res, { status: err.status, body: { error: err.message }, headers: err.headers });
        if (err instanceof URIError) return answer(res, { status: 400, body: { error: "the path is not valid percent-encoding" } });
        // every pooled connection busy for seconds: the node is overloaded, not broken
        if (isPoolTimeout(err)) return answer(res, busyRefusal("the login node is overloaded: its database gave no connection in time"));
        log.error("request-failed", { method: req.method, url: req.url?.slice(0, 200), ...errorFields(err) });
        if (!res.headersSent) answer(res, { status: 500, body: { error: "the login node failed on this request; try again" } });
      },
    );
  };
}
