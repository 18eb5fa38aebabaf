import {
  type PythonValue,
  TaskInputError,
  type flyteidl,
  integralFloatsToIntegers,
  placeholderInputs,
  renderPlaceholders,
} from "@flyte-agent/core";
import { idempotenceToken, wantsIdempotenceToken } from "./idempotence-token";
import { resolveImages } from "./images";
import { resolveRegion } from "./region";

/** What a task's `custom` and inputs turn into: the SDK input, its token and region. */
export interface RenderedCall {
  /** The rendered parameters, as JSON for the SDK (integers as integers). */
  input: { [key: string]: unknown };
  /** flytekit's idempotence token, or "" when the config has no token placeholder. */
  token: string;
  region: string;
}

/** How to render one call. */
export interface RenderRequest {
  /** `custom.config`. */
  config: unknown;
  /** `custom.images` (boto only). */
  images?: unknown;
  /** `custom.region`. */
  customRegion: unknown;
  /** The agent's configured region. */
  configuredRegion: string | undefined;
  inputs: flyteidl.core.LiteralMap;
  /** boto3's service name: `sagemaker` applies the 63-character rule to tokens. */
  service: string;
  /**
   * Whether integral floats of `config` are ints before rendering (boto, as flytekit's boto
   * connector does; the token's text then has `1`, not `1.0`). sagemaker-endpoint keeps them
   * floats for the token, as flytekit does.
   */
  integersFirst: boolean;
}

/** Whole numbers as Python ints (`bigint`), other numbers as floats, recursively. */
function asPythonInts(value: unknown): PythonValue {
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(asPythonInts);
  if (typeof value === "object" && value !== null) {
    const out: { [key: string]: PythonValue } = {};
    for (const [k, v] of Object.entries(value)) out[k] = asPythonInts(v);
    return out;
  }
  return value as PythonValue;
}

/**
 * Renders a call as flytekit's SageMaker mixin does: region (input `region`, `custom.region`,
 * configuration), images (tritonserver ones filled for the region), `{inputs.x}` and
 * `{images.x}` placeholders, then, when the result mentions `idempotence_token`, the token
 * (xxh64 of the rendered config's sorted text) put in place of `{idempotence_token}` (cut to
 * keep SageMaker names at 63 characters).
 */
export async function renderCall(request: RenderRequest): Promise<RenderedCall> {
  const { config } = request;
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new TaskInputError("custom.config must be a map of the call's parameters");
  }
  const region = resolveRegion(placeholderInputs(request.inputs).region, request.customRegion, request.configuredRegion);
  const images = resolveImages(request.images, region);
  const start: PythonValue = request.integersFirst
    ? asPythonInts(integralFloatsToIntegers(config, "custom.config"))
    : (config as PythonValue);
  const options = { inputs: request.inputs, images, service: request.service, label: "custom.config" };
  let rendered = renderPlaceholders(start, options);
  let token = "";
  if (wantsIdempotenceToken(rendered)) {
    token = await idempotenceToken(rendered);
    rendered = renderPlaceholders(rendered, { ...options, idempotenceToken: token });
  }
  const input = integralFloatsToIntegers(rendered, "custom.config");
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new TaskInputError("custom.config must render to a map of the call's parameters");
  }
  return { input, token, region };
}
