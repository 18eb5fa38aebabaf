import { lookup as dnsLookup } from "node:dns/promises";
import type { LookupAddress, LookupOptions } from "node:dns";
import { classifyAddress } from "./address-rules";
import { ALLOWED_HOSTS_ENV, type AllowedHost, isListed } from "./allowed-hosts";
import { formatIp, parseIp } from "./ip-address";

/** Resolves a host name to its addresses (the system resolver, `dns.lookup`, by default). */
export type Resolver = (hostName: string) => Promise<readonly LookupAddress[]>;

/** The system resolver, as Node's HTTP client would use it, all addresses in the resolver's order. */
export const systemResolver: Resolver = (hostName) => dnsLookup(hostName, { all: true, order: "verbatim" });

/** A destination the guard refuses; `rule` names the rule, the message says what and why. */
export class DestinationRefused extends Error {
  constructor(
    /** The rule that refused it, e.g. "cloud metadata address" or "allow-list". */
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = "DestinationRefused";
  }
}

/** The guard's settings. */
export interface DestinationPolicy {
  /** The allow-list; empty when none is configured. */
  readonly allowedHosts: readonly AllowedHost[];
  /** The resolver. */
  readonly resolve: Resolver;
}

/** Checks one resolved address of `hostName:port`; throws {@link DestinationRefused} when a rule refuses it. */
export function checkAddress(policy: DestinationPolicy, hostName: string, address: string, port: number): void {
  const bytes = parseIp(address);
  if (!bytes) throw new DestinationRefused("address", `${hostName} resolved to "${address}", which is not an IP address`);
  const verdict = classifyAddress(bytes);
  const where = parseIp(hostName) ? verdict.shown : `${hostName} (${verdict.shown})`;
  if (verdict.class === "forbidden") {
    throw new DestinationRefused(
      verdict.rule ?? "forbidden",
      `destination ${where} refused by the rule "${verdict.rule}": such addresses are refused even when ${ALLOWED_HOSTS_ENV} lists them`,
    );
  }
  const listed = isListed(policy.allowedHosts, hostName, formatIp(bytes), port);
  if (verdict.class === "loopback" && !listed) {
    throw new DestinationRefused(
      verdict.rule ?? "loopback address",
      `destination ${where} refused by the rule "${verdict.rule}": a loopback address is called only when ${ALLOWED_HOSTS_ENV} lists it`,
    );
  }
  if (policy.allowedHosts.length > 0 && !listed) {
    throw new DestinationRefused(
      "allow-list",
      `destination ${where} port ${port} refused by the rule "allow-list": ${ALLOWED_HOSTS_ENV} does not list it`,
    );
  }
}

/**
 * Resolves `hostName` once and checks every address it resolved to (an IP literal is checked as
 * is). Returns the checked addresses, which are the only ones the connection may use.
 */
export async function resolveDestination(policy: DestinationPolicy, hostName: string, port: number): Promise<LookupAddress[]> {
  const literal = parseIp(hostName);
  if (literal) {
    const address = formatIp(literal);
    checkAddress(policy, address, address, port);
    return [{ address: hostName.replace(/^\[|\]$/g, ""), family: literal.length === 4 ? 4 : 6 }];
  }
  const addresses = await policy.resolve(hostName);
  if (addresses.length === 0) throw Object.assign(new Error(`${hostName} has no address`), { code: "ENOTFOUND" });
  for (const a of addresses) checkAddress(policy, hostName, a.address, port);
  return [...addresses];
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for Node's HTTP client that hands the socket only the addresses that
 * {@link resolveDestination} resolved and checked for this request: the connection goes to a
 * checked address, and no second lookup happens between the check and the connect.
 */
export function checkedLookup(checked: readonly LookupAddress[]) {
  return (_hostName: string, options: LookupOptions, callback: LookupCallback): void => {
    const wanted = options.family === 4 || options.family === 6 ? checked.filter((a) => a.family === options.family) : checked;
    const first = wanted[0];
    if (!first) {
      const err: NodeJS.ErrnoException = new Error(`no checked address of family ${String(options.family)}`);
      err.code = "ENOTFOUND";
      callback(err, "", 0);
      return;
    }
    if (options.all) callback(null, [...wanted]);
    else callback(null, first.address, first.family);
  };
}
