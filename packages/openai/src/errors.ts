import { StatusCode } from "@flyte-agent/core";

/** The gRPC status of an OpenAI 401 (UNAUTHENTICATED) or 403 (PERMISSION_DENIED). */
export function authStatus(httpStatus: number): number {
  return httpStatus === 401 ? StatusCode.UNAUTHENTICATED : StatusCode.PERMISSION_DENIED;
}

/**
 * The message of an OpenAI 401 or 403, naming the organization the request was made for and the
 * secret to check (never the key).
 */
export function authMessage(httpStatus: number, organization: string | null, apiMessage: string): string {
  const org = organization ? `organization "${organization}"` : "the key's default organization";
  const what =
    httpStatus === 401
      ? `OpenAI rejected the API key for ${org} (HTTP 401): check the secret FLYTE_OPENAI_API_KEY and custom.openai_organization`
      : `the API key may not do this in ${org} (HTTP 403): check the key's permissions and project`;
  return `${what}: ${apiMessage}`;
}
