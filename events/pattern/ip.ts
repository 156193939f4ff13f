/**
 * IPv4 / IPv6 literal parsing and CIDR ranges for the `cidr` operator (and for exact string
 * patterns that are IP literals, which EventBridge compares as addresses rather than text).
 *
 * What counts as an IP literal is aws/event-ruler's rule (CIDR.java on the JVM): IPv4 is four dotted
 * decimal numbers (`[0-9]+.[0-9]+.[0-9]+.[0-9]+`, each at most 255); IPv6 is hex digits and colons
 * only (`[0-9a-fA-F:]*:[0-9a-fA-F:]*`), so a dotted IPv4 tail (`::ffff:10.0.0.1`) is not an address
 * but plain text; and an IPv4-mapped IPv6 address (`::ffff:a00:1`) is the IPv4 address it maps
 * (Java's InetAddress turns it into an Inet4Address).
 */

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface CidrRange {
  readonly family: 4 | 6;
  readonly low: bigint;
  readonly high: bigint;
}

function bytesToBigInt(bytes: readonly number[]): bigint {
  let out = 0n;
  for (const b of bytes) out = (out << 8n) | BigInt(b);
  return out;
}

function parseIPv4Bytes(text: string): number[] | null {
  if (!/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(text)) return null;
  const bytes = text.split('.').map(Number);
  return bytes.every((n) => n <= 255) ? bytes : null;
}

function parseIPv6Bytes(text: string): number[] | null {
  if (!/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/.test(text)) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string): string[] | null => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? groups : null;
  };

  let groups: string[];
  if (halves.length === 2) {
    const left = groupsOf(halves[0] ?? '');
    const right = groupsOf(halves[1] ?? '');
    if (left === null || right === null || left.length + right.length > 7) return null;
    groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  } else {
    const all = groupsOf(text);
    if (all === null || all.length !== 8) return null;
    groups = all;
  }

  const bytes: number[] = [];
  for (const g of groups) {
    const n = parseInt(g, 16);
    bytes.push(n >> 8, n & 0xff);
  }
  return bytes;
}

/** Parses an IPv4 or IPv6 literal as Event Ruler does (see above); `null` if it is not one. */
export function parseIp(text: string): IpAddress | null {
  const v4 = parseIPv4Bytes(text);
  if (v4 !== null) return { family: 4, value: bytesToBigInt(v4) };
  const v6 = parseIPv6Bytes(text);
  if (v6 === null) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff;
  return mapped ? { family: 4, value: bytesToBigInt(v6.slice(12)) } : { family: 6, value: bytesToBigInt(v6) };
}

/**
 * Parses `address/bits` into the inclusive range of addresses it covers, or returns a reason why
 * it is not a valid CIDR block.
 *
 * Like EventBridge's matching engine (aws/event-ruler `CIDR.cidr`), the mask must be < 32 for IPv4
 * and < 128 for IPv6: a single address is written as a plain string value instead (which this
 * matcher, like EventBridge, compares as an address). Host bits left of the mask are ignored, i.e.
 * `10.0.0.7/24` covers 10.0.0.0-10.0.0.255, the standard reading of a CIDR block.
 */
export function parseCidr(text: string): CidrRange | string {
  const slashed = text.split('/');
  if (slashed.length !== 2) return `malformed CIDR "${text}": exactly one "/" is required`;
  const [addressText = '', bitsText = ''] = slashed;
  if (!/^[0-9]+$/.test(bitsText)) {
    return `malformed CIDR "${text}": mask bits must be a non-negative integer`;
  }
  const address = parseIp(addressText);
  if (address === null) return `malformed CIDR "${text}": "${addressText}" is not an IPv4 or IPv6 address`;
  const bits = Number(bitsText);
  const width = address.family === 4 ? 32 : 128;
  if (bits >= width) {
    return `malformed CIDR "${text}": IPv${address.family} mask bits must be < ${width} (match a single address with a plain string value)`;
  }
  const hostBits = BigInt(width - bits);
  const hostMask = (1n << hostBits) - 1n;
  const low = address.value & ~hostMask;
  return { family: address.family, low, high: low | hostMask };
}

export function inCidr(range: CidrRange, value: string): boolean {
  const address = parseIp(value);
  return (
    address !== null &&
    address.family === range.family &&
    address.value >= range.low &&
    address.value <= range.high
  );
}
