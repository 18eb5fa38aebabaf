import {
  AsyncAgent,
  type CreateContext,
  InvalidMetaError,
  isAgentError,
  Phase,
  type Resource,
  StatusCode,
  type TaskContext,
  TaskInputError,
} from "@flyte-agent/core";
import { FileSensorCheck } from "./file-sensor";
import { LOCAL_ROOT_ENV } from "./local-exists";
import { sensorInputs } from "./sensor-inputs";
import { type SensorDefinition, SensorTable } from "./sensors";
import type { SensorAgentOptions, SensorMeta } from "./types";

/** Display name of the agent (flytekit's). */
export const SENSOR_AGENT_NAME = "Sensor";

/** The `custom` keys flytekit's sensors write (`asdict(SensorMetadata)`). */
export const SENSOR_CUSTOM_KEYS = ["sensor_module", "sensor_name", "sensor_config", "inputs"] as const;

const DEFAULT_CHECK_TIMEOUT_MS = 20_000;
/** Time kept free before the call's deadline to answer. */
const DEADLINE_MARGIN_MS = 250;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requiredName(custom: Record<string, unknown>, key: "sensor_module" | "sensor_name"): string {
  const value = custom[key];
  if (typeof value !== "string" || value === "") {
    throw new TaskInputError(`custom.${key} must be a non-empty string (flytekit's SensorMetadata)`);
  }
  return value;
}

/**
 * Serves flytekit sensors (task type `sensor`): CreateTask checks the sensor and its inputs and
 * keeps them in resource_meta; each GetTask pokes once: SUCCEEDED when the condition holds,
 * RUNNING until then. Supported: see {@link SensorAgent.supported}.
 */
export class SensorAgent extends AsyncAgent<SensorMeta> {
  readonly name = SENSOR_AGENT_NAME;
  readonly category = { name: "sensor", version: 0 };
  /** The `custom` keys this agent reads (flytekit's). */
  readonly customKeys = SENSOR_CUSTOM_KEYS;
  private readonly table: SensorTable;
  private readonly fileSensor: FileSensorCheck;
  private readonly checkTimeoutMs: number;

  constructor(options: SensorAgentOptions = {}) {
    super();
    const env = options.env ?? process.env;
    const localRoot = options.localRoot ?? (env[LOCAL_ROOT_ENV] || undefined);
    this.fileSensor = new FileSensorCheck({
      localRoot,
      s3: {
        region: options.s3Region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1"),
        forcePathStyle: options.s3ForcePathStyle ?? env.FLYTE_SENSOR_S3_FORCE_PATH_STYLE === "true",
      },
      gcs: { endpoint: options.gcsEndpoint ?? (env.FLYTE_SENSOR_GCS_ENDPOINT || undefined) },
    });
    this.table = new SensorTable([this.fileSensor]);
    this.checkTimeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    if (!(this.checkTimeoutMs > 0)) throw new RangeError(`checkTimeoutMs must be > 0, got ${this.checkTimeoutMs}`);
  }

  /** The sensors served, as `module.Name`. */
  get supported(): string[] {
    return this.table.supported;
  }

  /** Closes the storage clients' connections. */
  close(): void {
    this.fileSensor.close();
  }

  /** Checks the sensor and its inputs; no external call (as flytekit). */
  async create(ctx: CreateContext): Promise<SensorMeta> {
    const custom = isRecord(ctx.template.custom) ? ctx.template.custom : {};
    const module = requiredName(custom, "sensor_module");
    const name = requiredName(custom, "sensor_name");
    const sensor = this.table.find(module, name);
    const config = custom.sensor_config ?? null;
    if (config !== null && !isRecord(config)) throw new TaskInputError("custom.sensor_config must be a map or null");
    const fromLiterals = sensorInputs(ctx.inputs);
    const given = Object.keys(fromLiterals).length > 0 ? fromLiterals : isRecord(custom.inputs) ? custom.inputs : {};
    const inputs = await sensor.validate(given);
    return { sensor_module: module, sensor_name: name, sensor_config: config as SensorMeta["sensor_config"], inputs };
  }

  /** Pokes once. A condition not met yet is RUNNING (with a reason when there is one); a path the agent may not check is FAILED. */
  async get(meta: SensorMeta, ctx: TaskContext): Promise<Resource> {
    const sensor = this.sensorOf(meta);
    const budget = Math.min(
      this.checkTimeoutMs,
      ctx.deadline ? ctx.deadline.getTime() - Date.now() - DEADLINE_MARGIN_MS : Infinity,
    );
    try {
      const result = await sensor.poke(meta.inputs ?? {}, {
        signal: ctx.signal,
        deadline: new Date(Date.now() + Math.max(0, budget)),
      });
      if (result.exists) return { phase: Phase.SUCCEEDED };
      return { phase: Phase.RUNNING, ...(result.message ? { message: result.message } : {}) };
    } catch (err) {
      if (isAgentError(err) && err.code === StatusCode.INVALID_ARGUMENT) return { phase: Phase.FAILED, message: err.message };
      throw err;
    }
  }

  /** Nothing to cancel: a sensor starts nothing. */
  async delete(): Promise<void> {}

  protected override validateMeta(value: unknown): SensorMeta {
    if (!isRecord(value)) throw new InvalidMetaError("resource_meta must be a JSON object");
    const { sensor_module, sensor_name, sensor_config, inputs } = value;
    if (typeof sensor_module !== "string" || typeof sensor_name !== "string") {
      throw new InvalidMetaError("resource_meta needs sensor_module and sensor_name (was it made by another agent?)");
    }
    if (sensor_config !== undefined && sensor_config !== null && !isRecord(sensor_config)) {
      throw new InvalidMetaError("resource_meta sensor_config must be an object or null");
    }
    if (inputs !== undefined && inputs !== null && !isRecord(inputs)) {
      throw new InvalidMetaError("resource_meta inputs must be an object or null");
    }
    return {
      sensor_module,
      sensor_name,
      sensor_config: (sensor_config ?? null) as SensorMeta["sensor_config"],
      inputs: (inputs ?? null) as SensorMeta["inputs"],
    };
  }

  private sensorOf(meta: SensorMeta): SensorDefinition {
    try {
      return this.table.find(meta.sensor_module, meta.sensor_name);
    } catch (err) {
      throw new InvalidMetaError((err as Error).message);
    }
  }
}
