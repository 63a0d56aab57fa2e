// `realm deploy kubernetes`: manifests for one realm in one namespace. Per node kind a
// StatefulSet (pod realm-<kind>-<n> runs the kind's n-th node id, so names are stable across
// restarts) and a headless Service that gives each pod the DNS name the other nodes dial; a
// disk per database and backup node (volumeClaimTemplates) for its LMDB; a Service per login
// and client node for players; realms.yaml in a ConfigMap, rewritten to those addresses.
//
// Who restarts a crashed node: the kubelet (a StatefulSet's pods always restart). The reviver
// still notices, runs its per-kind procedure and tells the dependents, but its restart: command
// is `true`: spawning the node itself would start it inside the reviver's pod.
import { stringify } from "yaml";
import type { NodeKind, RealmsConfig } from "../../common/topology.ts";
import { deployedConfigText, deployedNodes, endpointOf, kindsOf, type DeployedNode, type NodePort } from "./model.ts";

/** Secrets the manifests name but do not fill: the operator (or `realm keys`) creates them. */
const KUBERNETES_SECRETS = {
  /** One key pair per node id: `<ID>.key` (secret) and `<ID>.pub`, mounted at /etc/realm/keys. */
  curveKeys: "realm-curve-keys",
  /** `url`: the realm's PostgreSQL, as DATABASE_URL. */
  postgres: "realm-postgres",
} as const;

const MOUNTS = { config: "/etc/realm", keys: "/etc/realm/keys", data: "/var/lib/realm" } as const;
const APP = "realm";

const setName = (kind: NodeKind): string => `${APP}-${kind}`;
const podName = (kind: NodeKind, ordinal: number): string => `${setName(kind)}-${ordinal}`;
/** Service names are DNS labels: lower case. */
const serviceOf = (id: string): string => id.toLowerCase().replace(/[^a-z0-9-]/g, "-");

type Manifest = Record<string, unknown>;

/** Port names are unique within a pod and a Service; nodes of one kind share the pod template, so the number is in it. */
const portName = (p: NodePort): string => `${p.name}-${p.port}`;
/** Every port some node of the kind listens on: the pods share one template, the headless Service one port list. */
const portsOfKind = (nodes: DeployedNode[]): NodePort[] => [...new Map(nodes.flatMap((n) => n.ports).map((p) => [p.port, p])).values()];

/** realms.yaml for the pods: ZeroMQ endpoints at the pods' DNS names, listeners on every interface. */
function clusterConfig(config: RealmsConfig, nodes: DeployedNode[]): string {
  const podOf = new Map<string, string>();
  for (const kind of kindsOf(nodes)) nodes.filter((n) => n.kind === kind).forEach((n, i) => podOf.set(n.id, `${podName(kind, i)}.${setName(kind)}`));
  const atPod = (address: unknown, pod: string): string => `tcp://${pod}:${endpointOf(String(address)).port}`;
  const anywhere = (address: unknown): string => `0.0.0.0:${String(address).slice(String(address).lastIndexOf(":") + 1)}`;
  return deployedConfigText(config, MOUNTS, (raw) => {
    const pod = podOf.get(raw.id);
    if (pod === undefined) return;
    raw.inbox = atPod(raw.inbox, pod);
    if (raw.pub !== undefined) raw.pub = atPod(raw.pub, pod);
    for (const key of ["http", "ws", "console", "metrics"]) if (raw[key] !== undefined) raw[key] = anywhere(raw[key]);
    raw.restart = "true";
  });
}

function statefulSet(kind: NodeKind, nodes: DeployedNode[], image: string): Manifest {
  const ids = nodes.map((n) => n.id);
  const ports = portsOfKind(nodes);
  const keepsData = nodes.some((n) => n.keepsData);
  const labels = { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": kind };
  // the pod's ordinal picks its node id: realm-zone-1 runs the second zone of the list
  const run = `set -- ${ids.join(" ")}; shift "\${HOSTNAME##*-}"; exec node ops/realm.mjs node "$1" --config ${MOUNTS.config}/realms.yaml --data ${MOUNTS.data}`;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: setName(kind), labels },
    spec: {
      serviceName: setName(kind),
      replicas: ids.length,
      // the reviver orders starts by kind; pods of one kind need not wait for each other
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { "realm/node-ids": ids.join(",") } },
        spec: {
          terminationGracePeriodSeconds: 40,
          containers: [
            {
              name: "node",
              image,
              workingDir: "/app",
              command: ["/bin/sh", "-c", run],
              env: [{ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: KUBERNETES_SECRETS.postgres, key: "url", optional: true } } }],
              ports: ports.map((p) => ({ name: portName(p), containerPort: p.port, protocol: "TCP" })),
              volumeMounts: [
                { name: "config", mountPath: `${MOUNTS.config}/realms.yaml`, subPath: "realms.yaml", readOnly: true },
                { name: "curve-keys", mountPath: MOUNTS.keys, readOnly: true },
                { name: "data", mountPath: MOUNTS.data },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: `${APP}-config` } },
            // optional until the keys exist, so a realm without CURVE still starts
            { name: "curve-keys", secret: { secretName: KUBERNETES_SECRETS.curveKeys, defaultMode: 0o400, optional: true } },
            ...(keepsData ? [] : [{ name: "data", emptyDir: {} }]),
          ],
        },
      },
      ...(keepsData
        ? { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } } }] }
        : {}),
    },
  };
}

function headlessService(kind: NodeKind, nodes: DeployedNode[]): Manifest {
  const ports = portsOfKind(nodes);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: setName(kind), labels: { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": kind } },
    spec: {
      clusterIP: "None",
      // nodes dial each other before they are ready: the names must resolve from the start
      publishNotReadyAddresses: true,
      selector: { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": kind },
      ports: ports.map((p) => ({ name: portName(p), port: p.port, targetPort: p.port })),
    },
  };
}

/** A player-facing Service for one login or client node: a player is sent to one client node, not to any. */
function playerService(n: DeployedNode, ordinal: number): Manifest {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: serviceOf(n.id), labels: { "app.kubernetes.io/name": APP, "app.kubernetes.io/component": n.kind, "realm/node-id": n.id } },
    spec: {
      type: "LoadBalancer",
      selector: { "statefulset.kubernetes.io/pod-name": podName(n.kind, ordinal) },
      ports: n.ports.filter((p) => p.name === "http" || p.name === "ws").map((p) => ({ name: p.name, port: p.port, targetPort: p.port })),
    },
  };
}

// no anchors for shared label objects, and realms.yaml as a literal block, as a person would write them
const yamlDocs = (docs: Manifest[]): string => docs.map((d) => stringify(d, { aliasDuplicateObjects: false, blockQuote: "literal" })).join("---\n");

/** The files to write, by path relative to the output folder. */
export function kubernetesFiles(config: RealmsConfig, image: string): Map<string, string> {
  const nodes = deployedNodes(config);
  const docs: Manifest[] = [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${APP}-config` }, data: { "realms.yaml": clusterConfig(config, nodes) } }];
  for (const kind of kindsOf(nodes)) {
    const ofKind = nodes.filter((n) => n.kind === kind);
    docs.push(headlessService(kind, ofKind), statefulSet(kind, ofKind, image));
    if (kind === "login" || kind === "client") ofKind.forEach((n, i) => docs.push(playerService(n, i)));
  }
  const secrets: Manifest[] = [
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name: KUBERNETES_SECRETS.curveKeys,
        annotations: { "realm/fill": `one <ID>.key and <ID>.pub per node id and operator's: realm keys --out keys && kubectl create secret generic ${KUBERNETES_SECRETS.curveKeys} --from-file=keys/` },
      },
      type: "Opaque",
      data: {},
    },
  ];
  return new Map([
    ["realm.yaml", `# Generated by \`realm deploy kubernetes\` from ${config.file}: kubectl apply -f realm.yaml\n${yamlDocs(docs)}`],
    ["secrets.yaml", `# A placeholder: apply once, then fill it (applying it again empties the keys)\n${yamlDocs(secrets)}`],
  ]);
}
