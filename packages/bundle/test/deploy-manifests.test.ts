import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

/** The Kubernetes manifests in deploy/kubernetes, validated without a cluster. */
const DEPLOY = join(__dirname, "..", "..", "..", "deploy", "kubernetes");
const DOCKERFILE = join(__dirname, "..", "..", "..", "docker", "Dockerfile");

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: arbitrary manifest bodies, checked field by field below
  spec?: any;
  [key: string]: unknown;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : [],
  );
}

function load(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, "utf8")).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as K8sObject;
  });
}

const objects = yamlFiles(DEPLOY)
  .filter((f) => !f.endsWith("kustomization.yaml"))
  .flatMap(load);
const byKind = (kind: string): K8sObject => {
  const found = objects.filter((o) => o.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as K8sObject;
};
const subset = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe("deploy/kubernetes", () => {
  const deployment = byKind("Deployment");
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];

  it("every manifest has apiVersion, kind and a name; kustomization lists existing files", () => {
    for (const o of objects) {
      expect(typeof o.apiVersion).toBe("string");
      expect(typeof o.kind).toBe("string");
      expect(o.metadata?.name).toMatch(/^[a-z0-9-]+$/);
    }
    const kustomization = load(join(DEPLOY, "kustomization.yaml"))[0] as unknown as { resources: string[]; namespace: string };
    for (const r of kustomization.resources) expect(existsSync(join(DEPLOY, r))).toBe(true);
    expect(kustomization.resources).not.toContain("optional/hpa.yaml");
  });

  it("Deployment: gRPC readiness, liveness and startup probes on 8000, metrics port, requests, selector", () => {
    expect(deployment.apiVersion).toBe("apps/v1");
    expect(subset(deployment.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
      expect(container[probe].grpc.port).toBe(8000);
    }
    const ports = Object.fromEntries(
      container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
    );
    expect(ports).toEqual({ grpc: 8000, metrics: 9090 });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.requests.memory).toBeDefined();
    expect(container.args[0]).toBe("serve");
  });

  it("Deployment: non-root with the image's uid, read-only root, Flyte-style secret mount", () => {
    const user = /^USER\s+(\d+)(?::(\d+))?/m.exec(readFileSync(DOCKERFILE, "utf8"));
    expect(user).not.toBeNull();
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(String(pod.spec.securityContext.runAsUser)).toBe(user?.[1]);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/etc/secrets");
    expect(mount.readOnly).toBe(true);
    const volume = pod.spec.volumes.find((v: { name: string }) => v.name === mount.name);
    expect(volume.secret.secretName).toBeDefined();
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string }) => [e.name, e.value ?? "(ref)"]));
    expect(env.FLYTE_SECRETS_DEFAULT_DIR).toBe("/etc/secrets");
    expect(Object.keys(env).some((k) => k.startsWith("_FSEC_"))).toBe(true);
  });

  it("graceful shutdown fits in the termination grace period", () => {
    const { parseDuration } = require("@flyte-agent/core") as typeof import("@flyte-agent/core");
    const arg = (name: string) => parseDuration(String(container.args[container.args.indexOf(name) + 1]), name);
    expect((arg("--shutdown-delay") + arg("--drain-timeout")) / 1000).toBeLessThan(pod.spec.terminationGracePeriodSeconds);
  });

  it("Service is headless, selects the pods and exposes grpc 8000 and metrics", () => {
    const service = byKind("Service");
    expect(service.spec.clusterIP).toBe("None");
    expect(subset(service.spec.selector, pod.metadata.labels)).toBe(true);
    const ports = Object.fromEntries(
      service.spec.ports.map((p: { name: string; port: number; targetPort: string }) => [p.name, [p.port, p.targetPort]]),
    );
    expect(ports).toEqual({ grpc: [8000, "grpc"], metrics: [9090, "metrics"] });
  });

  it("PodDisruptionBudget and the optional HPA point at the agent pods / Deployment", () => {
    const pdb = byKind("PodDisruptionBudget");
    expect(pdb.apiVersion).toBe("policy/v1");
    expect(subset(pdb.spec.selector.matchLabels, pod.metadata.labels)).toBe(true);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    const hpa = byKind("HorizontalPodAutoscaler");
    expect(hpa.apiVersion).toBe("autoscaling/v2");
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThan(pdb.spec.minAvailable);
  });

  it("the Service DNS name is the endpoint propeller-config prints by default", () => {
    const kustomization = load(join(DEPLOY, "kustomization.yaml"))[0] as unknown as { namespace: string };
    const service = byKind("Service");
    const readme = readFileSync(join(DEPLOY, "..", "README.md"), "utf8");
    expect(readme).toContain(`dns:///${service.metadata.name}.${kustomization.namespace}.svc.cluster.local:8000`);
  });
});

describe("docker/Dockerfile", () => {
  const text = readFileSync(DOCKERFILE, "utf8");
  it("takes PLUGINS as a build argument, runs as non-root, exposes 8000 and 9090, has a HEALTHCHECK", () => {
    expect(text).toMatch(/^ARG PLUGINS=/m);
    expect(text).toMatch(/^USER [1-9]\d*:\d+$/m);
    expect(text).toMatch(/^EXPOSE 8000 9090$/m);
    expect(text).toMatch(/^HEALTHCHECK .*\n?.*healthcheck\.js/m);
  });
});

describe("deploy/README.md", () => {
  it("shows exactly what propeller-config prints for all bundled plugins", () => {
    const { propellerConfig } = require("@flyte-agent/core/cli") as typeof import("@flyte-agent/core/cli");
    const { BUNDLED_PLUGINS } = require("../src/plugins") as typeof import("../src/plugins");
    const agents = BUNDLED_PLUGINS.flatMap((p) => (require(p.packageName) as { default: { agents: never[] } }).default.agents);
    const readme = readFileSync(join(DEPLOY, "..", "README.md"), "utf8");
    const block = /<!-- propeller-config: all bundled plugins -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    expect(parseAllDocuments(block ?? "")[0]?.toJS()).toEqual(parseAllDocuments(propellerConfig(agents))[0]?.toJS());
  });
});
