// A minimal DER reader (definite lengths, single-byte tags): enough to walk X.509 names and CRLs.

export interface Tlv {
  readonly tag: number; // the whole identifier octet (class | constructed | number)
  readonly start: number; // offset of the identifier octet
  readonly contentStart: number;
  readonly end: number; // offset after the contents
}

export class DerError extends Error {}

export function readTlv(der: Uint8Array, offset: number, limit = der.length): Tlv {
  if (offset + 2 > limit) throw new DerError(`truncated DER at offset ${offset}`);
  const tag = der[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError(`multi-byte tags are not supported (offset ${offset})`);
  let length = der[offset + 1];
  let contentStart = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError(`unsupported DER length at offset ${offset}`);
    if (contentStart + count > limit) throw new DerError(`truncated DER length at offset ${offset}`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[contentStart + i];
    contentStart += count;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`DER value at offset ${offset} overruns its container`);
  return { tag, start: offset, contentStart, end };
}

export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end; ) {
    const t = readTlv(der, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (t === undefined || t.tag !== tag) throw new DerError(`expected ${what}`);
  return t;
}
