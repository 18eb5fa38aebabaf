import { formatIp, parseIp } from "./ip-address";

/** The environment variable of the allow-list. */
export const ALLOWED_HOSTS_ENV = "FLYTE_WEBHOOK_ALLOWED_HOSTS";

/** One entry of the allow-list: a host name or an IP address, with or without a port. */
export interface AllowedHost {
  /** Lower-case host name without a trailing dot, or an IP address in {@link formatIp}'s form. */
  readonly host: string;
  /** Whether `host` is an IP address (matched against the resolved address too). */
  readonly isIp: boolean;
  /** The one port allowed, or undefined for any port. */
  readonly port?: number;
}

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/;

/** Normalises a host name as written in a URL or the list: lower case, no trailing dot. */
export function normaliseHostName(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/**
 * Parses one entry: `host`, `host:port`, an IPv4 address with or without `:port`, or an IPv6
 * address as `::1`, `[::1]` or `[::1]:8443`. Throws a RangeError naming the entry otherwise.
 */
export function parseAllowedHost(entry: string): AllowedHost {
  const text = entry.trim();
  if (/[/@?#\s]/.test(text)) {
    throw new RangeError(
      `${ALLOWED_HOSTS_ENV}: "${text}" is not a host name, IP address, host:port or [IPv6]:port (no scheme or path)`,
    );
  }
  let host = text;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? "";
    portText = bracketed[2];
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host = "", portText] = text.split(":");
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
      throw new RangeError(`${ALLOWED_HOSTS_ENV}: "${text}" has a bad port (1-65535)`);
    }
  }
  const ip = parseIp(host);
  if (ip) return { host: formatIp(ip), isIp: true, port };
  const name = normaliseHostName(host);
  if (!HOST_NAME.test(name)) {
    throw new RangeError(`${ALLOWED_HOSTS_ENV}: "${text}" is not a host name, IP address, host:port or [IPv6]:port`);
  }
  return { host: name, isIp: false, port };
}

/** Parses the comma-separated allow-list (blank entries ignored). An empty list means "no allow-list". */
export function parseAllowedHosts(text: string | undefined): AllowedHost[] {
  return (text ?? "")
    .split(",")
    .filter((e) => e.trim() !== "")
    .map(parseAllowedHost);
}

/**
 * Whether the list names this destination: the URL's host name, or the address it resolved to,
 * with a matching port when the entry has one.
 */
export function isListed(list: readonly AllowedHost[], hostName: string, address: string, port: number): boolean {
  const name = normaliseHostName(hostName);
  return list.some((e) => (e.port === undefined || e.port === port) && (e.isIp ? e.host === address : e.host === name));
}
