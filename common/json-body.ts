// Reading a JSON request (a player's at the login nodes, an operator's at the console): the
// content type must say JSON, the body is counted while it arrives and refused past a small cap
// (never buffered whole), and its shape is checked with the same schemas as node-to-node frames. Every refusal is an HttpRefusal: a 4xx with a JSON error.
import type http from "node:http";
import { SchemaError, type Schema } from "./schema.ts";

/** No login, queue or register request comes near this; a bigger one is a mistake or an attack. The default cap. */
export const MAX_BODY_BYTES = 4096;

export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpRefusal";
  }
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}

/** Past the cap, this much more is read and thrown away before the 413; beyond it the connection is cut. */
const DISCARD_MAX_BYTES = 4 << 20;

/**
 * Reads at most `cap` bytes. Past the cap nothing more is kept: the rest of the body is read and
 * discarded, and the 413 goes out once it ends (a client still writing when a server answers and
 * closes gets EPIPE, not our answer). A body announced or running past the discard limit is
 * answered at once and its connection closed.
 */
function readCapped(req: http.IncomingMessage, cap: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  const refusal = (cut: boolean): HttpRefusal => new HttpRefusal(413, `request body over ${cap} bytes`, cut ? { connection: "close" } : {});
  return new Promise((resolve, reject) => {
    if (Number.isFinite(declared) && declared > cap + DISCARD_MAX_BYTES) return reject(refusal(true));
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= cap) return void chunks.push(chunk);
      chunks.length = 0;
      if (size > cap + DISCARD_MAX_BYTES && !settled) {
        settled = true;
        reject(refusal(true));
      }
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      if (size > cap) reject(refusal(false));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on("error", (err) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
  });
}

/** The request body as `schema` says, or an HttpRefusal saying what is wrong with it. */
export async function readJson<T>(req: http.IncomingMessage, schema: Schema<T>, cap = MAX_BODY_BYTES): Promise<T> {
  if (!isJson(req.headers["content-type"])) throw new HttpRefusal(415, "send the body as JSON (content-type: application/json)");
  const raw = await readCapped(req, cap);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpRefusal(400, "the body is not valid JSON");
  }
  try {
    return schema.parse(value);
  } catch (err) {
    if (err instanceof SchemaError) throw new HttpRefusal(400, err.message);
    throw err;
  }
}
