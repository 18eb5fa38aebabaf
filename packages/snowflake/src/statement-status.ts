import { type JsonValue, type LogLink, Phase, type Resource, StructuredDatasetRef, toLiteralMap } from "@flyte-agent/core";
import { type AccountIdentifier, queryPageUrl } from "./account";
import { type ApiBody, describeAnswer, errorText } from "./sql-api";
import type { SnowflakeQueryMeta } from "./types";

/** Name of the log link to the query's page. */
export const LOG_LINK_NAME = "Snowflake Query Details";

/** SQL state of a statement that was cancelled (`57014`, query canceled). */
const CANCELLED_SQL_STATE = "57014";
/** Snowflake's error code of a cancelled statement (`000604`, SQL execution canceled). */
const CANCELLED_CODE = "000604";

/** The Snowsight link of a query. */
export function queryLink(account: AccountIdentifier, handle: string): LogLink {
  return { name: LOG_LINK_NAME, uri: queryPageUrl(account, handle) };
}

/** `snowflake://{user}:{account}/{warehouse}/{database}/{schema}/{query_id}`: the results of a query, as the Python connectors name them. */
export function resultsUri(meta: SnowflakeQueryMeta): string {
  return `snowflake://${meta.user}:${meta.account}/${meta.warehouse}/${meta.database}/${meta.schema}/${meta.handle}`;
}

function text(body: ApiBody, field: string): string | undefined {
  const value = body[field];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Maps an answer of `GET /api/v2/statements/{handle}` to a Resource:
 * 202 (in progress) RUNNING, or QUEUED when Snowflake says the statement waits in the queue;
 * 200 SUCCEEDED (with `results` when the task declares outputs); 422 FAILED with Snowflake's
 * message and SQL state, or ABORTED when the statement was cancelled; 408 FAILED (timed out and
 * cancelled by Snowflake); 404 FAILED (the handle is unknown). 401/403 are handled by the caller.
 */
export function statusToResource(meta: SnowflakeQueryMeta, account: AccountIdentifier, status: number, body: ApiBody): Resource {
  const logLinks = [queryLink(account, meta.handle)];
  const customInfo: { [key: string]: JsonValue } = { statementHandle: meta.handle };
  const sqlState = text(body, "sqlState");
  if (sqlState) customInfo.sqlState = sqlState;
  const base = { logLinks, customInfo };
  if (status === 202) {
    const message = text(body, "message") ?? "the statement is running";
    const queued = /\bqueued\b/i.test(message);
    return { ...base, phase: queued ? Phase.QUEUED : Phase.RUNNING, message };
  }
  if (status === 200) {
    const numRows = (body.resultSetMetaData as { numRows?: unknown } | undefined)?.numRows;
    if (typeof numRows === "number") customInfo.numRows = numRows;
    const message = text(body, "message") ?? "Statement executed successfully.";
    if (!meta.hasOutputs) return { ...base, phase: Phase.SUCCEEDED, message };
    return {
      ...base,
      phase: Phase.SUCCEEDED,
      message,
      outputs: toLiteralMap({ results: new StructuredDatasetRef(resultsUri(meta)) }),
    };
  }
  if (status === 422) {
    const cancelled = sqlState === CANCELLED_SQL_STATE || text(body, "code") === CANCELLED_CODE;
    return {
      ...base,
      phase: cancelled ? Phase.ABORTED : Phase.FAILED,
      message: `${cancelled ? "the query was cancelled" : "the query failed"}: ${errorText(body)}`,
    };
  }
  if (status === 408) {
    return {
      ...base,
      phase: Phase.FAILED,
      message: `the query ran past its timeout and Snowflake cancelled it: ${errorText(body)}`,
    };
  }
  if (status === 404) {
    return {
      ...base,
      phase: Phase.FAILED,
      message: `Snowflake does not know statement ${meta.handle} in account ${meta.account} (${describeAnswer(status, body)})`,
    };
  }
  return {
    ...base,
    phase: Phase.FAILED,
    message: `Snowflake refused to report statement ${meta.handle}: ${describeAnswer(status, body)}`,
  };
}
