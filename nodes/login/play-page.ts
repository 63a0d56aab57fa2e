// The browser game at /play: ops/web/play/ read once at start, its game.ts bundled in memory by
// esbuild (no build step a newcomer runs by hand). A failed build is logged and /play answers 503
// with the reason; the login routes keep serving.
import { readFile } from "node:fs/promises";
import type http from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { errorFields, type Log } from "../../common/log.ts";

const PLAY_DIR = fileURLToPath(new URL("../../ops/web/play/", import.meta.url));

interface Asset {
  type: string;
  body: Buffer;
}

type Built = { ok: true; assets: Map<string, Asset> } | { ok: false; reason: string };

// the only paths served: anything else under /play is a 404, so no request names a file of its own
const PAGE = ["/play", "/play/", "/play/index.html"];
const FILES: Record<string, { file: string; type: string }> = {
  "/play/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};
const BUNDLE = "/play/game.js";

function refuse(res: http.ServerResponse, status: number, error: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ error });
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-cache", ...headers });
  res.end(text);
}

/** Bundles ops/web/play/game.ts (the SDK and common/ with it) for the browser. */
async function bundleGame(dir = PLAY_DIR): Promise<Buffer> {
  const out = await build({
    entryPoints: [`${dir}game.ts`],
    bundle: true,
    format: "esm",
    write: false,
    platform: "browser",
    target: "es2022",
    sourcemap: "inline",
    logLevel: "silent",
  });
  const js = out.outputFiles[0];
  if (!js) throw new Error("esbuild produced no output for game.ts");
  return Buffer.from(js.contents);
}

export class PlayPage {
  private constructor(private readonly built: Promise<Built>) {}

  /** Starts the build at once; requests that come before it ends wait for it. */
  static start(log: Log, dir = PLAY_DIR): PlayPage {
    const began = Date.now();
    const built = (async (): Promise<Built> => {
      const assets = new Map<string, Asset>();
      const html = await readFile(`${dir}index.html`);
      for (const p of PAGE) assets.set(p, { type: "text/html; charset=utf-8", body: html });
      for (const [p, f] of Object.entries(FILES)) assets.set(p, { type: f.type, body: await readFile(`${dir}${f.file}`) });
      assets.set(BUNDLE, { type: "text/javascript; charset=utf-8", body: await bundleGame(dir) });
      log.info("play-page-built", { ms: Date.now() - began, bytes: assets.get(BUNDLE)!.body.length });
      return { ok: true, assets };
    })().catch((err: unknown): Built => {
      // esbuild's message lists every error with file and line: the operator's first clue
      const reason = `the game page did not build: ${(err as Error).message ?? String(err)}`.slice(0, 2000);
      log.error("play-page-build-failed", { ...errorFields(err), error: reason });
      return { ok: false, reason };
    });
    return new PlayPage(built);
  }

  static handles(path: string): boolean {
    return path === "/play" || path.startsWith("/play/");
  }

  /** Answers a request for a path `handles` took. */
  async serve(method: string, path: string, res: http.ServerResponse): Promise<void> {
    const known = PAGE.includes(path) || path in FILES || path === BUNDLE;
    if (!known) return refuse(res, 404, `no file ${path}; the game is at /play`);
    if (method !== "GET" && method !== "HEAD") return refuse(res, 405, `${method} is not allowed on ${path}`, { allow: "GET, HEAD" });
    const built = await this.built;
    if (!built.ok) return refuse(res, 503, built.reason);
    const asset = built.assets.get(path);
    if (!asset) return refuse(res, 404, `no file ${path}; the game is at /play`);
    res.writeHead(200, {
      "content-type": asset.type,
      "content-length": asset.body.length,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
    res.end(method === "HEAD" ? undefined : asset.body);
  }
}
