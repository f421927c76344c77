// PROXY protocol v1 (text) and v2 (binary) header parser (HAProxy's proxy-protocol.txt), sans-IO:
// feed it the first chunks of a connection; it answers need-more, the parsed header with the number of
// bytes it took (the rest belongs to the application stream, e.g. the TLS ClientHello), or an error.
// The listener decides whether PROXY is required and from which trusted sources it is accepted.

import { isIPv4, isIPv6 } from 'node:net';

export interface ProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

export interface ProxyHeader {
  readonly version: 1 | 2;
  /**
   * 'proxy': the addresses below are the real client's. 'local' (v2 LOCAL, e.g. a load balancer health
   * check) and 'unknown' (v1 UNKNOWN, v2 UNSPEC family): no client is named, and the balancer's own
   * address must not stand in for one (the listener refuses such connections).
   */
  readonly command: 'proxy' | 'local' | 'unknown';
  readonly source?: ProxyEndpoint;
  readonly destination?: ProxyEndpoint;
  /** Header length in bytes: the application stream starts right after. */
  readonly consumed: number;
}

export type ProxyParseResult =
  | { readonly kind: 'need-more' }
  | { readonly kind: 'header'; readonly header: ProxyHeader }
  | { readonly kind: 'error'; readonly reason: string };

export const V1_MAX_LENGTH = 107;
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** Default cap on the v2 address+TLV block (the field allows 65535; real headers are far smaller). */
export const V2_DEFAULT_MAX_PAYLOAD = 2048;

const NEED_MORE: ProxyParseResult = { kind: 'need-more' };
const error = (reason: string): ProxyParseResult => ({ kind: 'error', reason });

/** True while `data` is a prefix of `signature` or starts with it. */
function prefixMatches(data: Buffer, signature: Buffer): boolean {
  const n = Math.min(data.length, signature.length);
  return data.subarray(0, n).equals(signature.subarray(0, n));
}

function port(text: string): number | undefined {
  if (!/^(0|[1-9]\d{0,4})$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

function parseV1(data: Buffer): ProxyParseResult {
  const limit = Math.min(data.length, V1_MAX_LENGTH);
  let lf = -1;
  for (let i = 0; i < limit; i++) {
    if (data[i] === 0x0a) {
      lf = i;
      break;
    }
  }
  if (lf < 0) return data.length >= V1_MAX_LENGTH ? error(`PROXY v1 header longer than ${V1_MAX_LENGTH} bytes`) : NEED_MORE;
  if (lf === 0 || data[lf - 1] !== 0x0d) return error('PROXY v1 header not terminated by CRLF');
  const line = data.subarray(0, lf - 1).toString('latin1');
  const parts = line.split(' ');
  if (parts[1] === 'UNKNOWN') return { kind: 'header', header: { version: 1, command: 'unknown', consumed: lf + 1 } };
  if (parts.length !== 6) return error(`malformed PROXY v1 header '${line}'`);
  const [, proto, src, dst, sport, dport] = parts;
  const valid = proto === 'TCP4' ? isIPv4 : proto === 'TCP6' ? isIPv6 : undefined;
  if (valid === undefined) return error(`unsupported PROXY v1 protocol '${proto}'`);
  if (!valid(src) || !valid(dst)) return error(`invalid ${proto} address in PROXY v1 header '${line}'`);
  const sp = port(sport);
  const dp = port(dport);
  if (sp === undefined || dp === undefined) return error(`invalid port in PROXY v1 header '${line}'`);
  return {
    kind: 'header',
    header: { version: 1, command: 'proxy', source: { address: src, port: sp }, destination: { address: dst, port: dp }, consumed: lf + 1 },
  };
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Canonical compressed form (RFC 5952): the longest run of two or more zero groups becomes '::'.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function parseV2(data: Buffer, maxPayload: number): ProxyParseResult {
  if (data.length < 16) return NEED_MORE;
  const versionCommand = data[12];
  if (versionCommand >> 4 !== 2) return error(`unsupported PROXY v2 version ${versionCommand >> 4}`);
  const command = versionCommand & 0x0f;
  if (command > 1) return error(`unsupported PROXY v2 command ${command}`);
  const family = data[13] >> 4;
  const transport = data[13] & 0x0f;
  const length = data.readUInt16BE(14);
  if (length > maxPayload) return error(`PROXY v2 header payload of ${length} bytes exceeds the ${maxPayload}-byte cap`);
  if (data.length < 16 + length) return NEED_MORE;
  const consumed = 16 + length;
  if (command === 0) return { kind: 'header', header: { version: 2, command: 'local', consumed } };
  if (family === 0) return { kind: 'header', header: { version: 2, command: 'unknown', consumed } };
  if (transport !== 1) return error(`unsupported PROXY v2 transport ${transport} (only STREAM)`);
  const block = data.subarray(16, consumed); // addresses, then TLVs (skipped)
  if (family === 1) {
    if (length < 12) return error('PROXY v2 AF_INET address block too short');
    const v4 = (o: number) => `${block[o]}.${block[o + 1]}.${block[o + 2]}.${block[o + 3]}`;
    return {
      kind: 'header',
      header: {
        version: 2,
        command: 'proxy',
        source: { address: v4(0), port: block.readUInt16BE(8) },
        destination: { address: v4(4), port: block.readUInt16BE(10) },
        consumed,
      },
    };
  }
  if (family === 2) {
    if (length < 36) return error('PROXY v2 AF_INET6 address block too short');
    return {
      kind: 'header',
      header: {
        version: 2,
        command: 'proxy',
        source: { address: ipv6(block.subarray(0, 16)), port: block.readUInt16BE(32) },
        destination: { address: ipv6(block.subarray(16, 32)), port: block.readUInt16BE(34) },
        consumed,
      },
    };
  }
  return error(`unsupported PROXY v2 address family ${family}`);
}

/** Parses a header at the start of `data` (everything received so far). */
export function parseProxyHeader(data: Buffer, options: { maxV2Payload?: number } = {}): ProxyParseResult {
  if (data.length === 0) return NEED_MORE;
  if (prefixMatches(data, V2_SIGNATURE)) {
    return data.length < V2_SIGNATURE.length ? NEED_MORE : parseV2(data, options.maxV2Payload ?? V2_DEFAULT_MAX_PAYLOAD);
  }
  if (prefixMatches(data, V1_PREFIX)) return data.length < V1_PREFIX.length ? NEED_MORE : parseV1(data);
  return error('connection does not start with a PROXY protocol header');
}

/**
 * Incremental decoder for one connection: push chunks until the result is not need-more. After a header,
 * `rest()` returns the bytes that followed it (hand them to the next stage); chunks pushed after the
 * header are added to it and the result stays the same.
 */
export class ProxyProtocolDecoder {
  private chunks: Buffer[] = [];
  private total = 0;
  private result: ProxyParseResult = NEED_MORE;

  constructor(private readonly options: { maxV2Payload?: number } = {}) {}

  push(chunk: Buffer): ProxyParseResult {
    if (this.result.kind === 'header') this.chunks.push(chunk); // belongs to rest()
    if (this.result.kind !== 'need-more') return this.result;
    this.chunks.push(chunk);
    this.total += chunk.length;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.total);
    this.chunks = [data];
    this.result = parseProxyHeader(data, this.options);
    return this.result;
  }

  /** The bytes pushed after the header (empty before a header was parsed or after an error). */
  rest(): Buffer {
    if (this.result.kind !== 'header') return Buffer.alloc(0);
    const first = this.chunks[0].subarray(this.result.header.consumed);
    return this.chunks.length === 1 ? first : Buffer.concat([first, ...this.chunks.slice(1)]);
  }
}
