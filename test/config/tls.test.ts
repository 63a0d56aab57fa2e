// realms.yaml's `tls: {cert, key}` on login and client nodes: paths relative to the file's folder,
// the lines they are declared at (for errors at node start), and the URL players are given.
import { join } from "node:path";
import t from "tap";
import { ConfigError } from "../../common/errors.ts";
import { parseConfig } from "../../config/load.ts";
import { clientNodeUrl } from "../../common/topology.ts";
import { freePorts } from "../harness/free-ports.ts";

const FILE = "/etc/realm/realms.yaml";
// parsed only, nothing listens; still, every address is a port free in this run
const NAMES = ["loginHttp", "loginInbox", "ws1", "ws2", "client1Inbox", "client2Inbox", "realmInbox", "dbInbox", "zoneInbox", "backupInbox", "zonePub", "reviverInbox"] as const;
const free = await freePorts(NAMES.length);
const P = Object.fromEntries(NAMES.map((n, i) => [n, free[i]!])) as Record<(typeof NAMES)[number], number>;
const realm = (login: string, clients: string) => `login:
  nodes:
${login}
revivers:
  - { id: REVIVER-1, inbox: tcp://127.0.0.1:${P.reviverInbox} }
client_nodes:
${clients}
realms:
  - name: Fortrax
    realm: { id: FORTRAX-REALM, inbox: tcp://127.0.0.1:${P.realmInbox} }
    database: { id: FORTRAX-DB, inbox: tcp://127.0.0.1:${P.dbInbox} }
    backup: { id: FORTRAX-BACKUP, inbox: tcp://127.0.0.1:${P.backupInbox} }
    world: { width: 100, height: 100, cell: 50 }
    zones:
      - { id: FORTRAX-ZONE-1, region: [0, 0, 100, 100], inbox: tcp://127.0.0.1:${P.zoneInbox}, pub: tcp://127.0.0.1:${P.zonePub} }
instances:
  max_players: 40
  pool: []
`;

t.test("config - tls paths resolve against the file's folder and remember their lines; clients are named wss://", async (t) => {
  const cfg = parseConfig(
    realm(
      `    - id: LOGIN-1
      http: 127.0.0.1:${P.loginHttp}
      inbox: tcp://127.0.0.1:${P.loginInbox}
      tls:
        cert: tls/login.crt
        key: /srv/keys/login.key`,
      `    - { id: CLIENT-1, ws: 127.0.0.1:${P.ws1}, inbox: tcp://127.0.0.1:${P.client1Inbox}, tls: { cert: ../c.crt, key: c.key } }
    - { id: CLIENT-2, ws: 127.0.0.1:${P.ws2}, inbox: tcp://127.0.0.1:${P.client2Inbox}, tls: { cert: c.crt, key: c.key }, public_url: wss://play.example.com/c2 }`,
    ),
    FILE,
  );
  const [login] = cfg.login.nodes;
  t.same(login?.tls, {
    cert: "/etc/realm/tls/login.crt",
    key: "/srv/keys/login.key",
    declared: { file: FILE, path: "login.nodes[0].tls", certLine: 7, keyLine: 8 },
  });
  const [c1, c2] = cfg.clientNodes;
  t.same([c1?.tls?.cert, c1?.tls?.key], ["/etc/c.crt", join("/etc/realm", "c.key")], "client paths resolve the same way");
  t.equal(c1?.tls?.declared.certLine, 12);
  t.equal(clientNodeUrl(c1!), `wss://127.0.0.1:${P.ws1}/`, "a client node with tls is named wss://");
  t.equal(clientNodeUrl(c2!), "wss://play.example.com/c2", "public_url still wins");
});

t.test("config - without tls nothing changes: http, ws://", async (t) => {
  const cfg = parseConfig(
    realm(`    - { id: LOGIN-1, http: 127.0.0.1:${P.loginHttp}, inbox: tcp://127.0.0.1:${P.loginInbox} }`, `    - { id: CLIENT-1, ws: 127.0.0.1:${P.ws1}, inbox: tcp://127.0.0.1:${P.client1Inbox} }`),
    FILE,
  );
  t.equal(cfg.login.nodes[0]?.tls, undefined);
  t.equal(clientNodeUrl(cfg.clientNodes[0]!), `ws://127.0.0.1:${P.ws1}/`);
});

t.test("config - tls refuses unknown keys and empty paths, each at its line", async (t) => {
  const cases: [string, string][] = [
    ["tls: { cert: a.crt, key: a.key, ca: b.crt }", "unknown key"],
    ['tls: { cert: "", key: a.key }', "must not be empty"],
    ["tls: a.crt", "expected a map"],
  ];
  for (const [tls, problem] of cases) {
    try {
      parseConfig(realm(`    - { id: LOGIN-1, http: 127.0.0.1:${P.loginHttp}, inbox: tcp://127.0.0.1:${P.loginInbox} }`, `    - { id: CLIENT-1, ws: 127.0.0.1:${P.ws1}, inbox: tcp://127.0.0.1:${P.client1Inbox}, ${tls} }`), FILE);
      t.fail(`${tls} was accepted`);
    } catch (e) {
      t.ok(e instanceof ConfigError, tls);
      t.match((e as ConfigError).message, new RegExp(`^${FILE}:7 client_nodes\\[0\\]\\.tls.*${problem}`), `${tls}: ${(e as Error).message}`);
    }
  }
});
