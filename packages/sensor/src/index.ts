/**
 * Flyte agent plugin for flytekit sensors (task type `sensor`): flytekit's `FileSensor` on
 * `s3://`, `gs://` and (when the operator allows it) local paths, polled by propeller.
 *
 * @packageDocumentation
 */
import { definePlugin } from "@flyte-agent/core";
import { SensorAgent } from "./agent";
import { SENSOR_PLUGIN_NAME } from "./version";

export { SensorAgent, SENSOR_AGENT_NAME, SENSOR_CUSTOM_KEYS } from "./agent";
export type { SensorAgentOptions, SensorTaskCustom, SensorMeta } from "./types";
export { LOCAL_ROOT_ENV } from "./local-exists";
export { SENSOR_PLUGIN_NAME, SENSOR_PLUGIN_VERSION } from "./version";

/** The plugin: the `sensor` agent, configured from the environment when the plugin loads. */
export default definePlugin({ name: SENSOR_PLUGIN_NAME, agents: [new SensorAgent()] });
