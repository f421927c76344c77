import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProxyHeader, ProxyProtocolDecoder, V2_SIGNATURE, type ProxyParseResult } from '../../../gateway/auth/proxy-protocol.ts';

function v2(command: number, familyTransport: number, block: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0x20 | command;
  head[1] = familyTransport;
  head.writeUInt16BE(block.length, 2);
  return Buffer.concat([V2_SIGNATURE, head, block]);
}

function inet4Block(tlvs = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(12);
  Buffer.from([192, 0, 2, 10]).copy(b, 0);
  Buffer.from([10, 0, 0, 1]).copy(b, 4);
  b.writeUInt16BE(51234, 8);
  b.writeUInt16BE(9092, 10);
  return Buffer.concat([b, tlvs]);
}

/** Feeds `data` in chunks of `size` bytes; returns every result. */
function feed(data: Buffer, size: number): { results: ProxyParseResult[]; decoder: ProxyProtocolDecoder } {
  const decoder = new ProxyProtocolDecoder();
  const results: ProxyParseResult[] = [];
  for (let i = 0; i < data.length; i += size) results.push(decoder.push(data.subarray(i, i + size)));
  return { results, decoder };
}

const header = (r: ProxyParseResult) => {
  assert.equal(r.kind, 'header', JSON.stringify(r));
  return r.header;
};
const errorOf = (r: ProxyParseResult) => {
  assert.equal(r.kind, 'error', JSON.stringify(r));
  return r.reason;
};

describe('PROXY protocol v1', () => {
  test('TCP4 and TCP6, with the application bytes that follow', () => {
    const data = Buffer.from('PROXY TCP4 192.0.2.10 10.0.0.1 51234 9092\r\n\x16\x03\x01');
    assert.deepEqual(header(parseProxyHeader(data)), {
      version: 1,
      command: 'proxy',
      source: { address: '192.0.2.10', port: 51234 },
      destination: { address: '10.0.0.1', port: 9092 },
      consumed: 43,
    });
    const six = header(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::1 ::1 65535 0\r\n')));
    assert.deepEqual(six.source, { address: '2001:db8::1', port: 65535 });
    assert.deepEqual(six.destination, { address: '::1', port: 0 });
  });

  test('UNKNOWN keeps the socket addresses', () => {
    assert.deepEqual(header(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))), { version: 1, command: 'unknown', consumed: 15 });
    assert.equal(header(parseProxyHeader(Buffer.from('PROXY UNKNOWN ffff::1 ::1 1 2\r\n'))).command, 'unknown');
  });

  test('split into 1-byte chunks: need-more until the CRLF, then the rest is handed on', () => {
    const data = Buffer.from('PROXY TCP4 192.0.2.10 10.0.0.1 51234 9092\r\nHELLO');
    const { results, decoder } = feed(data, 1);
    assert.ok(results.slice(0, 42).every((r) => r.kind === 'need-more'));
    assert.equal(header(results[42]).source?.address, '192.0.2.10');
    assert.equal(decoder.rest().toString(), 'HELLO');
    assert.equal(decoder.push(Buffer.from('more')).kind, 'header'); // finished: further pushes repeat the result
  });

  test('malformed', () => {
    for (const line of [
      'PROXY TCP4 192.0.2.10 10.0.0.1 51234\r\n',
      'PROXY TCP4 192.0.2.10 10.0.0.1 51234 99999\r\n',
      'PROXY TCP4 192.0.2.10 10.0.0.1 051234 9092\r\n',
      'PROXY TCP4 2001:db8::1 10.0.0.1 1 2\r\n',
      'PROXY TCP6 192.0.2.10 ::1 1 2\r\n',
      'PROXY UDP4 192.0.2.10 10.0.0.1 1 2\r\n',
      'PROXY TCP4  192.0.2.10 10.0.0.1 1 2\r\n',
      'PROXY TCP4 192.0.2.10 10.0.0.1 1 2\n',
    ]) {
      assert.equal(parseProxyHeader(Buffer.from(line)).kind, 'error', line);
    }
    assert.match(errorOf(parseProxyHeader(Buffer.from('GET / HTTP/1.1\r\n'))), /does not start with a PROXY/);
    assert.match(errorOf(parseProxyHeader(Buffer.from([0x16, 0x03, 0x01]))), /does not start with a PROXY/); // a TLS ClientHello
    assert.equal(parseProxyHeader(Buffer.from('PROX')).kind, 'need-more');
  });

  test('oversize: no CRLF within 107 bytes', () => {
    const long = Buffer.from(`PROXY TCP6 ${'a'.repeat(120)}`);
    assert.equal(parseProxyHeader(long.subarray(0, 106)).kind, 'need-more');
    assert.match(errorOf(parseProxyHeader(long)), /longer than 107/);
    // exactly 107 bytes including CRLF is accepted
    const max = `PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n`;
    assert.equal(max.length, 104);
    assert.equal(header(parseProxyHeader(Buffer.from(max))).consumed, 104);
  });
});

describe('PROXY protocol v2', () => {
  test('AF_INET over STREAM, TLVs skipped', () => {
    const tlv = Buffer.from([0x04, 0x00, 0x03, 0x61, 0x62, 0x63]); // PP2_TYPE_NOOP
    const data = Buffer.concat([v2(1, 0x11, inet4Block(tlv)), Buffer.from('TLS')]);
    const h = header(parseProxyHeader(data));
    assert.deepEqual(h, {
      version: 2,
      command: 'proxy',
      source: { address: '192.0.2.10', port: 51234 },
      destination: { address: '10.0.0.1', port: 9092 },
      consumed: 16 + 12 + 6,
    });
  });

  test('AF_INET6', () => {
    const b = Buffer.alloc(36);
    Buffer.from('20010db8000000000000000000000001', 'hex').copy(b, 0);
    Buffer.from('00000000000000000000ffff0a000001', 'hex').copy(b, 16);
    b.writeUInt16BE(443, 32);
    b.writeUInt16BE(9093, 34);
    const h = header(parseProxyHeader(v2(1, 0x21, b)));
    assert.deepEqual(h.source, { address: '2001:db8::1', port: 443 });
    assert.deepEqual(h.destination, { address: '::ffff:a00:1', port: 9093 });
  });

  test('LOCAL command and UNSPEC family keep the socket addresses', () => {
    assert.deepEqual(header(parseProxyHeader(v2(0, 0x00, Buffer.alloc(0)))), { version: 2, command: 'local', consumed: 16 });
    assert.deepEqual(header(parseProxyHeader(v2(0, 0x11, inet4Block()))), { version: 2, command: 'local', consumed: 28 });
    assert.deepEqual(header(parseProxyHeader(v2(1, 0x00, Buffer.alloc(4)))), { version: 2, command: 'unknown', consumed: 20 });
  });

  test('split chunks of every size give the same header and remainder', () => {
    const data = Buffer.concat([v2(1, 0x11, inet4Block()), Buffer.from('rest')]);
    for (const size of [1, 2, 3, 5, 11, 16, 17, 27]) {
      const { results, decoder } = feed(data, size);
      const done = results.findIndex((r) => r.kind !== 'need-more');
      assert.ok(results.slice(0, done).every((r) => r.kind === 'need-more'));
      assert.equal(header(results[done]).consumed, 28);
      assert.equal(decoder.rest().toString(), 'rest', `size ${size}`);
    }
  });

  test('malformed: version, command, family, transport, short address blocks', () => {
    const bad = (buf: Buffer) => errorOf(parseProxyHeader(buf));
    const wrongVersion = v2(1, 0x11, inet4Block());
    wrongVersion[12] = 0x11;
    assert.match(bad(wrongVersion), /version 1/);
    assert.match(bad(v2(2, 0x11, inet4Block())), /command 2/);
    assert.match(bad(v2(1, 0x12, inet4Block())), /transport 2/);
    assert.match(bad(v2(1, 0x11, Buffer.alloc(8))), /too short/);
    assert.match(bad(v2(1, 0x21, Buffer.alloc(20))), /too short/);
    assert.match(bad(v2(1, 0x31, Buffer.alloc(216))), /family 3/);
    assert.match(bad(v2(1, 0x41, Buffer.alloc(0))), /family 4/);
    // a signature that goes wrong midway
    assert.match(bad(Buffer.from('\r\n\r\n\0\r\nQUIX\n....')), /does not start with a PROXY/);
    assert.equal(parseProxyHeader(V2_SIGNATURE.subarray(0, 7)).kind, 'need-more');
  });

  test('length cap', () => {
    const big = v2(1, 0x11, inet4Block(Buffer.alloc(4000)));
    assert.match(errorOf(parseProxyHeader(big.subarray(0, 16))), /exceeds the 2048-byte cap/); // refused before buffering it
    assert.equal(parseProxyHeader(big, { maxV2Payload: 8192 }).kind, 'header');
  });
});
