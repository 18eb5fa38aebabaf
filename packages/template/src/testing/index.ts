/**
 * Test helpers of this plugin, exported as `<package>/testing`: what a user of the plugin needs
 * to test their own code against it. A plugin that talks to an external system exports its fake
 * of that system's API here (a real HTTP server on 127.0.0.1); this one needs no external system,
 * so it exports task-template builders for its task types.
 *
 * @packageDocumentation
 */
export { customTaskTemplate, customSyncTaskTemplate } from "./task-templates";
