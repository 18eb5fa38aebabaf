/** Version of this package (kept equal to package.json; a test checks it). */
export const BIGQUERY_PLUGIN_VERSION = "0.1.0";
