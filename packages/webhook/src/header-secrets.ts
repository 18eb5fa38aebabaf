import { type Connection, SecretNotFoundError, type SecretSourceOptions, requireSecret } from "@flyte-agent/core";
import { WebhookTaskError } from "./task-error";

/** The environment variable listing the secrets a header may name. */
export const SECRETS_ENV = "FLYTE_WEBHOOK_SECRETS";

/** `{secrets.NAME}` in a header value. */
const SECRET_PLACEHOLDER = /\{secrets\.([^{}]*)\}/g;
const SECRET_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses the comma-separated list of secret names an operator allows. Throws a RangeError on a bad name. */
export function parseSecretNames(text: string | undefined): string[] {
  const names = (text ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n !== "");
  for (const name of names) {
    if (!SECRET_NAME.test(name)) throw new RangeError(`${SECRETS_ENV}: "${name}" is not a secret name (letters, digits, _ . -)`);
  }
  return names;
}

/** A header value cut at its secret placeholders: text pieces and secret names, in order. */
export type ValuePiece = { readonly text: string } | { readonly secret: string };

/** Cuts a header value into text and `{secrets.NAME}` pieces. */
export function splitSecretPlaceholders(value: string): ValuePiece[] {
  const pieces: ValuePiece[] = [];
  let last = 0;
  for (const m of value.matchAll(SECRET_PLACEHOLDER)) {
    if (m.index > last) pieces.push({ text: value.slice(last, m.index) });
    pieces.push({ secret: m[1] ?? "" });
    last = m.index + m[0].length;
  }
  if (last < value.length) pieces.push({ text: value.slice(last) });
  return pieces;
}

/** Whether a string names a secret (used to refuse secrets outside header values). */
export function namesSecret(value: string): boolean {
  return /\{secrets\.[^{}]*\}/.test(value);
}

/** Where the values of named secrets come from. */
export interface SecretAccess {
  /** Names the operator allows (`FLYTE_WEBHOOK_SECRETS`). */
  readonly allowed: readonly string[];
  /** Where pod secrets are read. */
  readonly source: SecretSourceOptions;
  /** The call's connection (Flyte 2): its secrets may be named too. */
  readonly connection?: Connection;
}

/**
 * Reads the value of a secret a header names: only a name the operator lists in
 * `FLYTE_WEBHOOK_SECRETS` or that the call's connection carries; any other name is refused,
 * named in the refusal. A listed secret that is not mounted fails naming where it was looked for.
 */
export function readHeaderSecret(name: string, access: SecretAccess): string {
  if (!SECRET_NAME.test(name)) {
    throw new WebhookTaskError(`{secrets.${name.slice(0, 64)}} is not a secret name (letters, digits, _ . -)`);
  }
  const inConnection = access.connection !== undefined && Object.hasOwn(access.connection.secrets, name);
  if (!inConnection && !access.allowed.includes(name)) {
    const listed = access.allowed.length > 0 ? access.allowed.join(", ") : "none";
    throw new WebhookTaskError(
      `the header secret "${name}" is refused: a webhook may only name secrets the agent's ${SECRETS_ENV} lists (${listed}) or the task's connection carries`,
    );
  }
  try {
    return requireSecret(name, { ...access.source, connection: access.connection, what: `webhook header secret "${name}"` });
  } catch (err) {
    if (err instanceof SecretNotFoundError) throw new WebhookTaskError(err.message);
    throw err;
  }
}
