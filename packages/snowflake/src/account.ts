/** The env var that overrides the SQL API base URL (private link, proxies, tests). */
export const ENDPOINT_ENV = "FLYTE_SNOWFLAKE_ENDPOINT";

const SNOWSIGHT = "https://app.snowflake.com";

/**
 * A Snowflake account identifier, parsed by its documented forms:
 * `orgname-account_name` (optionally followed by `.privatelink` or other suffixes) or an
 * account locator, bare (`xy12345`, AWS US West (Oregon)) or with its region and cloud
 * (`xy12345.us-east-2.aws`). Organization names and locators hold only letters and digits, so
 * a hyphen in the first part is what tells the forms apart.
 */
export interface AccountIdentifier {
  /** As written in the task (trimmed). */
  readonly raw: string;
  /** `orgname-account_name` or `locator`. */
  readonly kind: "org-account" | "locator";
  /** The account part of a key-pair JWT (upper case, no region). */
  readonly jwtAccount: string;
  /** Host of the SQL API, `<identifier>.snowflakecomputing.com`. */
  readonly host: string;
  /** Snowsight base URL of the account (without the `#/...` route). */
  readonly snowsight: string;
}

/** Parses an account identifier; throws an Error saying what is wrong with it. */
export function parseAccount(value: string): AccountIdentifier {
  const raw = value.trim();
  if (raw === "") throw new Error("is empty");
  if (/^https?:\/\//i.test(raw) || raw.includes("/")) {
    throw new Error(`"${raw}" is a URL; give the account identifier (orgname-account_name or a locator)`);
  }
  const host = raw.toLowerCase().replace(/\.snowflakecomputing\.com$/, "");
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(host)) {
    throw new Error(`"${raw}" is not an account identifier (letters, digits, "_", "-", ".")`);
  }
  const [first = "", ...rest] = host.split(".");
  const dash = first.indexOf("-");
  if (dash > 0) {
    const org = first.slice(0, dash);
    const name = first.slice(dash + 1);
    if (!/^[a-z][a-z0-9]*$/.test(org) || name === "" || !/^[a-z0-9_-]+$/.test(name)) {
      throw new Error(`"${raw}" is not orgname-account_name`);
    }
    return {
      raw,
      kind: "org-account",
      jwtAccount: first.toUpperCase(),
      host: `${org}-${name.replace(/_/g, "-")}${rest.length ? `.${rest.join(".")}` : ""}.snowflakecomputing.com`,
      snowsight: `${SNOWSIGHT}/${org}/${name}`,
    };
  }
  if (!/^[a-z0-9]+$/.test(first)) throw new Error(`"${raw}" is not an account locator (letters and digits)`);
  const region = rest.filter((p) => p !== "privatelink").join(".");
  return {
    raw,
    kind: "locator",
    jwtAccount: first.toUpperCase(),
    host: `${host}.snowflakecomputing.com`,
    snowsight: `${SNOWSIGHT}/${region || "us-west-2"}/${first}`,
  };
}

/** The SQL API base URL: `FLYTE_SNOWFLAKE_ENDPOINT` (or the agent option) if set, else the account's host. */
export function apiBaseUrl(account: AccountIdentifier, override: string | undefined): string {
  if (override === undefined || override.trim() === "") return `https://${account.host}`;
  let url: URL;
  try {
    url = new URL(override.trim());
  } catch {
    throw new Error(`${ENDPOINT_ENV} "${override}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${ENDPOINT_ENV} must use http or https`);
  if (url.username || url.password || url.search || url.hash) {
    throw new Error(`${ENDPOINT_ENV} must be a plain base URL (no credentials, query or fragment)`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** The Snowsight page of one query. */
export function queryPageUrl(account: AccountIdentifier, statementHandle: string): string {
  return `${account.snowsight}/#/compute/history/queries/${encodeURIComponent(statementHandle)}/detail`;
}
