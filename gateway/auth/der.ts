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
  for (let at = parent.contentStart; at < parent.end;) {
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

/** The dotted form of an OBJECT IDENTIFIER's contents. */
export function readOid(der: Uint8Array, t: Tlv): string {
  if (t.tag !== 0x06 || t.end === t.contentStart) throw new DerError('expected an OBJECT IDENTIFIER');
  const parts: number[] = [];
  let value = 0;
  for (let i = t.contentStart; i < t.end; i++) {
    value = value * 128 + (der[i] & 0x7f);
    if ((der[i] & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  if (der[t.end - 1] & 0x80) throw new DerError('truncated OBJECT IDENTIFIER');
  return parts.join('.');
}

/** A UTCTime (YYMMDDHHMMSSZ, 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), as DER and RFC 5280 require them. */
export function readTime(der: Uint8Array, t: Tlv): Date {
  const text = Buffer.from(der.subarray(t.contentStart, t.end)).toString('latin1');
  const m =
    t.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
      : t.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
        : null;
  if (!m) throw new DerError(`expected a UTCTime or GeneralizedTime ending in Z (got '${text.slice(0, 20)}')`);
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const [month, day, hour, minute, second] = m.slice(2).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59)
    throw new DerError(`invalid time '${text}'`);
  return d;
}

/** The bytes of a BIT STRING whose bit length is a multiple of 8 (signatures, keys). */
export function readOctetAlignedBits(der: Uint8Array, t: Tlv): Uint8Array {
  if (t.tag !== 0x03 || t.end === t.contentStart) throw new DerError('expected a BIT STRING');
  if (der[t.contentStart] !== 0) throw new DerError('BIT STRING with unused bits');
  return der.subarray(t.contentStart + 1, t.end);
}
