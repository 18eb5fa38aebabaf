/** The env var naming the default workspace. */
export const INSTANCE_ENV = "FLYTE_DATABRICKS_INSTANCE";
/** The env var listing the hosts a token may be sent to. */
export const ALLOWED_HOSTS_ENV = "FLYTE_DATABRICKS_ALLOWED_HOSTS";

/**
 * Turns a workspace name into a base URL: a bare host (`dbc-1.cloud.databricks.com`) means
 * https; a full `http(s)://` URL is kept (private endpoints, proxies, tests). Throws an Error
 * saying what is wrong with it.
 */
export function toBaseUrl(instance: string): string {
  const known = baseUrls.get(instance);
  if (known !== undefined) return known;
  const baseUrl = parseBaseUrl(instance);
  // Instances come from resource_meta, so from clients: keep a bounded few (a pod talks to a handful of workspaces).
  if (baseUrls.size >= MAX_CACHED_INSTANCES) baseUrls.clear();
  baseUrls.set(instance, baseUrl);
  return baseUrl;
}

/** Base URLs of the instances seen so far: every GetTask checks its run's instance, and URL parsing is the costly part. */
const baseUrls = new Map<string, string>();
const MAX_CACHED_INSTANCES = 64;

function parseBaseUrl(instance: string): string {
  const raw = instance.trim();
  if (raw === "") throw new Error("the Databricks instance is empty");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`the Databricks instance "${raw}" is not a host name or URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`the Databricks instance "${raw}" must use http or https`);
  }
  if (url.username || url.password) throw new Error("the Databricks instance must not carry credentials");
  if (url.search || url.hash) throw new Error(`the Databricks instance "${raw}" must not have a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The allowed-host list: the configured one, else the env var, else empty (= any). */
export function allowedHostsFrom(configured: readonly string[] | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const list = configured ?? (env[ALLOWED_HOSTS_ENV] ?? "").split(",");
  return list.map((h) => h.trim().toLowerCase()).filter((h) => h !== "");
}

/** True when `baseUrl`'s host is in `allowed` (exact, or `*.suffix`), or `allowed` is empty. */
export function isHostAllowed(baseUrl: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  const host = new URL(baseUrl).hostname.toLowerCase();
  return allowed.some((pattern) => (pattern.startsWith("*.") ? host.endsWith(pattern.slice(1)) : host === pattern));
}
