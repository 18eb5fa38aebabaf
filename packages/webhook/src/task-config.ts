import type { flyteidl } from "@flyte-agent/core";
import { namesSecret, readHeaderSecret, type SecretAccess, splitSecretPlaceholders } from "./header-secrets";
import { pythonText, sendableData } from "./literals";
import { type Render, renderText, renderValue, taskValue } from "./render";
import { WebhookTaskError } from "./task-error";

/** The task's `custom`, rendered and checked. */
export interface WebhookTask {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly headers: Readonly<Record<string, string>>;
  readonly data: { [key: string]: unknown };
  readonly showData: boolean;
  readonly showUrl: boolean;
  /** Seconds, as the task asked (before the agent's caps). */
  readonly timeoutSec: number;
  /** Values of the secrets the headers named: scrubbed from messages, logs and outputs. */
  readonly secretValues: readonly string[];
}

/** The `custom` keys flytekit's webhook task writes (and the only ones read). */
export const WEBHOOK_CUSTOM_KEYS = ["url", "method", "headers", "data", "show_data", "show_url", "timeout_sec"] as const;

const DEFAULT_TIMEOUT_SEC = 10;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Refuses `{secrets.NAME}` anywhere but in a header value (so a secret never lands in a URL, a body or an output). */
function refuseSecretsOutsideHeaders(value: unknown, path: string): void {
  if (typeof value === "string" && namesSecret(value)) {
    throw new WebhookTaskError(`${path} names a secret: {secrets.NAME} is only allowed in a header value`);
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) refuseSecretsOutsideHeaders(v, `${path}[${i}]`);
  } else if (isRecord(value)) for (const [k, v] of Object.entries(value)) refuseSecretsOutsideHeaders(v, `${path}.${k}`);
}

function flag(value: unknown, key: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === "boolean") return value;
  throw new WebhookTaskError(`custom.${key} must be true or false`);
}

function seconds(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TIMEOUT_SEC;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0)
    throw new WebhookTaskError("custom.timeout_sec must be a number of seconds > 0");
  return n;
}

/**
 * Renders the task's `custom` with its inputs, as flytekit's connector does (`{inputs.NAME}`
 * placeholders, see {@link Render}), then reads the header secrets: each `{secrets.NAME}` of a
 * header value is replaced by the secret's value, which never passes through the placeholder
 * renderer (so an input cannot name a secret). Throws {@link WebhookTaskError}.
 */
export function readWebhookTask(template: flyteidl.core.TaskTemplate, render: Render, access: SecretAccess): WebhookTask {
  const custom: Record<string, unknown> = isRecord(template.custom) ? template.custom : {};
  for (const key of ["url", "method", "data", "show_data", "show_url", "timeout_sec"]) {
    refuseSecretsOutsideHeaders(custom[key], `custom.${key}`);
  }
  const rawHeaders = custom.headers ?? {};
  if (!isRecord(rawHeaders)) throw new WebhookTaskError("custom.headers must be a map of header names to values");
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (typeof value !== "string") refuseSecretsOutsideHeaders(value, `custom.headers.${name}`);
  }

  const url = renderValue(custom.url, render);
  if (typeof url !== "string") throw new WebhookTaskError("custom.url must be a string");
  const method = renderValue(custom.method, render);
  if (method !== "GET" && method !== "POST") {
    throw new WebhookTaskError(`custom.method must be GET or POST, got ${JSON.stringify(method)?.slice(0, 40)}`);
  }
  const rendered = renderValue(custom.data ?? {}, render);
  if (!isRecord(rendered)) throw new WebhookTaskError("custom.data must be a map");
  const data = taskValue(() => sendableData(rendered));

  const secretValues: string[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawHeaders)) {
    if (typeof value !== "string") {
      const headerValue = renderValue(value, render);
      headers[name] = typeof headerValue === "string" ? headerValue : pythonText(headerValue);
      continue;
    }
    headers[name] = splitSecretPlaceholders(value)
      .map((piece) => {
        if ("text" in piece) return renderText(piece.text, render);
        const secret = readHeaderSecret(piece.secret, access);
        secretValues.push(secret);
        return secret;
      })
      .join("");
  }
  return {
    url,
    method,
    headers,
    data,
    showData: flag(renderValue(custom.show_data, render), "show_data"),
    showUrl: flag(renderValue(custom.show_url, render), "show_url"),
    timeoutSec: seconds(renderValue(custom.timeout_sec, render)),
    secretValues,
  };
}
