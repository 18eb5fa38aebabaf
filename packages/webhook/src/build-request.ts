import type { OutgoingRequest } from "./send-request";
import { WebhookTaskError } from "./task-error";

/** Most headers a task may send. */
export const MAX_HEADERS = 64;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Headers the client sets itself. */
const RESERVED = new Set(["host", "content-length", "transfer-encoding", "connection"]);

/** Parses and checks the URL: absolute, `http` or `https`, no credentials in it. */
export function parseWebhookUrl(value: unknown): URL {
  if (typeof value !== "string" || value.trim() === "") throw new WebhookTaskError("custom.url must be a non-empty string");
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new WebhookTaskError(`custom.url is not an absolute URL: ${JSON.stringify(value.slice(0, 200))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WebhookTaskError(`custom.url must be http or https, got ${url.protocol.replace(/:$/, "")}`);
  }
  if (url.username || url.password) {
    throw new WebhookTaskError("custom.url must not carry a user name or password: send credentials in a header from a secret");
  }
  return url;
}

/** Text of one query parameter value, as httpx writes it (`true`, `false`, empty for null). */
function queryText(key: string, value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") return String(value);
  throw new WebhookTaskError(
    `custom.data.${key}: a GET query parameter must be a string, number, boolean, null or a list of them`,
  );
}

/**
 * The request flytekit's webhook connector would send: GET with `data` as query parameters
 * (lists as repeated keys, added to the URL's own query), POST with `data` as a JSON body.
 */
export function buildRequest(
  method: "GET" | "POST",
  url: URL,
  headers: Readonly<Record<string, string>>,
  data: { [key: string]: unknown },
): OutgoingRequest {
  const names = Object.keys(headers);
  if (names.length > MAX_HEADERS)
    throw new WebhookTaskError(`custom.headers has ${names.length} headers; at most ${MAX_HEADERS}`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new WebhookTaskError(`custom.headers: "${name.slice(0, 64)}" is not a header name`);
    if (RESERVED.has(name.toLowerCase())) throw new WebhookTaskError(`custom.headers: "${name}" is set by the agent`);
    if (!HEADER_VALUE.test(value)) {
      throw new WebhookTaskError(`custom.headers.${name} holds a line break or control character`);
    }
    out[name.toLowerCase()] = value;
  }
  const target = new URL(url.href);
  if (method === "GET") {
    for (const [key, value] of Object.entries(data)) {
      for (const item of Array.isArray(value) ? value : [value]) target.searchParams.append(key, queryText(key, item));
    }
    return { method, url: target, headers: out };
  }
  out["content-type"] ??= "application/json";
  return { method, url: target, headers: out, body: Buffer.from(JSON.stringify(data), "utf8") };
}
