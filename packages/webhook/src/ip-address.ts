import { isIPv4, isIPv6 } from "node:net";

/** An IP address as bytes: 4 for IPv4, 16 for IPv6. */
export type IpBytes = readonly number[];

/** Parses a dotted-quad IPv4 address (as `net.isIPv4` accepts it) into 4 bytes. */
function ipv4Bytes(text: string): number[] {
  return text.split(".").map((part) => Number.parseInt(part, 10));
}

/**
 * Parses an IP address into bytes: 4 for IPv4, 16 for IPv6 (with `::` compression, an embedded
 * dotted quad, and a zone id `%eth0`, which is dropped). Returns undefined for anything else,
 * including host names.
 */
export function parseIp(text: string): IpBytes | undefined {
  const unbracketed = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (isIPv4(unbracketed)) return ipv4Bytes(unbracketed);
  const address = unbracketed.split("%")[0] ?? "";
  if (!isIPv6(address)) return undefined;
  let tail: number[] = [];
  let text6 = address;
  const lastColon = text6.lastIndexOf(":");
  const lastPart = text6.slice(lastColon + 1);
  if (lastPart.includes(".")) {
    tail = ipv4Bytes(lastPart);
    text6 = `${text6.slice(0, lastColon + 1)}0:0`;
  }
  const [head = "", rest] = text6.split("::");
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)));
  const front = groups(head);
  const back = rest === undefined ? [] : groups(rest);
  const zeros = new Array<number>(8 - front.length - back.length).fill(0);
  const words = rest === undefined ? front : [...front, ...zeros, ...back];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Formats bytes back into the usual text (dotted quad, or IPv6 without compression). */
export function formatIp(bytes: IpBytes): string {
  if (bytes.length === 4) return bytes.join(".");
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return words.join(":");
}

/** A CIDR range: the prefix's bytes and its length in bits. */
export interface IpRange {
  readonly bytes: IpBytes;
  readonly bits: number;
}

/** Parses `a.b.c.d/n` or `x::/n` (a bare address is a /32 or /128). Throws on bad input (a programming error). */
export function parseRange(cidr: string): IpRange {
  const [address = "", bitsText] = cidr.split("/");
  const bytes = parseIp(address);
  if (!bytes) throw new TypeError(`not an IP range: ${cidr}`);
  const bits = bitsText === undefined ? bytes.length * 8 : Number.parseInt(bitsText, 10);
  return { bytes, bits };
}

/** Whether `address` lies in `range` (same family only). */
export function inRange(address: IpBytes, range: IpRange): boolean {
  if (address.length !== range.bytes.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((address[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

const MAPPED = parseRange("::ffff:0:0/96");
const COMPATIBLE = parseRange("::/96");
const NAT64 = parseRange("64:ff9b::/96");
const NAT64_LOCAL = parseRange("64:ff9b:1::/48");
const SIX_TO_FOUR = parseRange("2002::/16");

/**
 * The IPv4 address an IPv6 address carries, if it is one of the forms that reach an IPv4 host:
 * IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64
 * (`64:ff9b::a.b.c.d`, `64:ff9b:1::/48`) and 6to4 (`2002:AABB:CCDD::`).
 */
export function embeddedIpv4(address: IpBytes): IpBytes | undefined {
  if (address.length !== 16) return undefined;
  if (inRange(address, MAPPED) || inRange(address, NAT64) || inRange(address, NAT64_LOCAL)) return address.slice(12);
  // `::` and `::1` are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
  if (inRange(address, COMPATIBLE) && address.slice(12).some((b, i) => (i < 3 ? b !== 0 : b > 1))) return address.slice(12);
  if (inRange(address, SIX_TO_FOUR)) return address.slice(2, 6);
  return undefined;
}
