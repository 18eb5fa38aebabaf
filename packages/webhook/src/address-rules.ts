import { embeddedIpv4, formatIp, inRange, type IpBytes, type IpRange, parseRange } from "./ip-address";

/**
 * What the destination guard makes of an address:
 * - `forbidden`: never called, even when the allow-list names it (link-local, cloud metadata,
 *   unspecified, multicast and broadcast);
 * - `loopback`: called only when the allow-list names it;
 * - `private`: called when no allow-list is configured, or when the allow-list names it;
 * - `public`: the same as private.
 */
export type AddressClass = "forbidden" | "loopback" | "private" | "public";

/** One rule of the guard: the ranges it covers, what they are, and why. */
export interface AddressRule {
  readonly name: string;
  readonly class: AddressClass;
  readonly ranges: readonly IpRange[];
}

const rule = (name: string, cls: AddressClass, ranges: string[]): AddressRule => ({
  name,
  class: cls,
  ranges: ranges.map(parseRange),
});

/**
 * The rules, first match wins (so the exact metadata addresses come before the private ranges
 * that contain them). Cloud metadata services, each of which hands out credentials or instance
 * secrets to whoever on the node asks:
 * - 169.254.169.254: AWS, GCP, Azure, OpenStack, Oracle Cloud, DigitalOcean (in the link-local
 *   range anyway), 169.254.170.2: AWS ECS task credentials (link-local too);
 * - fd00:ec2::/32: AWS's IPv6 instance services (IMDS at fd00:ec2::254, DNS, time);
 * - fd20:ce::254: GCP's IPv6 metadata server;
 * - 100.100.100.200: Alibaba Cloud's metadata service (inside the shared 100.64.0.0/10 range);
 * - 168.63.129.16: Azure's WireServer (VM agent configuration and extension settings);
 * - 192.0.0.192: Oracle Cloud Classic's metadata service.
 */
export const ADDRESS_RULES: readonly AddressRule[] = [
  rule("cloud metadata address", "forbidden", [
    "169.254.169.254",
    "169.254.170.2",
    "fd00:ec2::/32",
    "fd20:ce::254",
    "100.100.100.200",
    "168.63.129.16",
    "192.0.0.192",
  ]),
  rule("link-local address", "forbidden", ["169.254.0.0/16", "fe80::/10"]),
  rule("unspecified address (reaches this host)", "forbidden", ["0.0.0.0/8", "::/128"]),
  rule("multicast or broadcast address", "forbidden", ["224.0.0.0/4", "255.255.255.255/32", "ff00::/8"]),
  rule("loopback address", "loopback", ["127.0.0.0/8", "::1/128"]),
  rule("private address", "private", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]),
];

/** The verdict on one address: its class and the rule that decided it (absent for public). */
export interface AddressVerdict {
  readonly class: AddressClass;
  readonly rule?: string;
  /** The address as text; for an IPv6 form that carries an IPv4 address, both. */
  readonly shown: string;
}

function match(address: IpBytes): AddressRule | undefined {
  return ADDRESS_RULES.find((r) => r.ranges.some((range) => inRange(address, range)));
}

const SEVERITY: Readonly<Record<AddressClass, number>> = { forbidden: 3, loopback: 2, private: 1, public: 0 };

/**
 * Classifies an address. An IPv6 address that carries an IPv4 one (IPv4-mapped, NAT64, 6to4,
 * IPv4-compatible) is judged by the stricter of the two, so `::ffff:169.254.169.254` is the
 * metadata address it reaches.
 */
export function classifyAddress(address: IpBytes): AddressVerdict {
  const own = match(address);
  const inner = embeddedIpv4(address);
  const carried = inner ? match(inner) : undefined;
  const ownClass = own?.class ?? "public";
  const carriedClass = carried?.class ?? "public";
  const shown = inner ? `${formatIp(address)} (IPv4 ${formatIp(inner)})` : formatIp(address);
  if (inner && SEVERITY[carriedClass] > SEVERITY[ownClass]) {
    return { class: carriedClass, rule: carried?.name, shown };
  }
  return { class: ownClass, rule: own?.name, shown };
}
