import { apiBaseUrl, parseAccount, queryPageUrl } from "../src/account";

test.each([
  ["myorg-analytics", "MYORG-ANALYTICS", "myorg-analytics.snowflakecomputing.com", "https://app.snowflake.com/myorg/analytics"],
  ["MyOrg-Data_Team", "MYORG-DATA_TEAM", "myorg-data-team.snowflakecomputing.com", "https://app.snowflake.com/myorg/data_team"],
  [
    "myorg-analytics.privatelink",
    "MYORG-ANALYTICS",
    "myorg-analytics.privatelink.snowflakecomputing.com",
    "https://app.snowflake.com/myorg/analytics",
  ],
  [
    "xy12345.us-east-2.aws",
    "XY12345",
    "xy12345.us-east-2.aws.snowflakecomputing.com",
    "https://app.snowflake.com/us-east-2.aws/xy12345",
  ],
  ["xy12345.eu-west-1", "XY12345", "xy12345.eu-west-1.snowflakecomputing.com", "https://app.snowflake.com/eu-west-1/xy12345"],
  ["xy12345", "XY12345", "xy12345.snowflakecomputing.com", "https://app.snowflake.com/us-west-2/xy12345"],
  [
    "myorg-analytics.snowflakecomputing.com",
    "MYORG-ANALYTICS",
    "myorg-analytics.snowflakecomputing.com",
    "https://app.snowflake.com/myorg/analytics",
  ],
])("%s: JWT account %s, host %s, Snowsight %s", (raw, jwtAccount, host, snowsight) => {
  expect(parseAccount(raw)).toMatchObject({ jwtAccount, host, snowsight });
});

test("the query link is the Snowsight query detail page of the handle", () => {
  expect(queryPageUrl(parseAccount("myorg-analytics"), "01b2c3d4-0000-1111-0000-000000000001")).toBe(
    "https://app.snowflake.com/myorg/analytics/#/compute/history/queries/01b2c3d4-0000-1111-0000-000000000001/detail",
  );
});

test.each([
  ["", /is empty/],
  ["https://myorg-analytics.snowflakecomputing.com", /is a URL/],
  ["my org", /not an account identifier/],
  ["-analytics", /not an account identifier|not an account locator/],
  ["my_org-x", /not orgname-account_name/],
])("%j is refused", (raw, message) => {
  expect(() => parseAccount(raw)).toThrow(message);
});

test("the API base URL is the account host unless overridden", () => {
  const account = parseAccount("myorg-analytics");
  expect(apiBaseUrl(account, undefined)).toBe("https://myorg-analytics.snowflakecomputing.com");
  expect(apiBaseUrl(account, "http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080");
  expect(() => apiBaseUrl(account, "ftp://x")).toThrow(/FLYTE_SNOWFLAKE_ENDPOINT must use http or https/);
  expect(() => apiBaseUrl(account, "https://u:p@x")).toThrow(/no credentials/);
});
