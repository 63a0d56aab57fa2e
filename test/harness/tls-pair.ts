// Self-signed certificates for the TLS tests, made at run time with the openssl CLI (nothing
// secret is kept in the repository, and nothing expires in it).
import { spawnSync } from "node:child_process";
import path from "node:path";

/** Why no test certificate can be made here (a tap `skip` reason), or false. */
export const opensslMissing: string | false =
  spawnSync("openssl", ["version"]).status === 0 ? false : "the openssl CLI is missing (apt-get install openssl; .ci/run does it): no test certificate can be made";

/** A certificate for 127.0.0.1, valid one day, and its key: `<dir>/<name>.crt`, `<dir>/<name>.key`. */
export function selfSigned(dir: string, name = "realm"): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  const args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert];
  const r = spawnSync("openssl", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl could not make the test certificate: ${r.stderr}`);
  return { cert, key };
}
