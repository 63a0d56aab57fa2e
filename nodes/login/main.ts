import { closeHttp, listenHttp } from "../../common/http.ts";
import { runNode } from "../../common/main.ts";
import type { LoginNodeSpec } from "../../config/model.ts";
import { loginRoutes } from "./login-http.ts";

await runNode<LoginNodeSpec>(["login"], async (rt, spec) => {
  const server = await listenHttp(spec.http, loginRoutes(rt.opts.config, spec.id));
  rt.onStop(() => closeHttp(server));
});
