// X.509 names rendered exactly as Java's X500Principal.getName() (RFC 2253 form), the string Kafka's
// ssl.principal.mapping.rules are applied to (spec §5.1). Checked against the JDK:
// - RDNs in reverse order of the ASN.1 sequence (most specific first), joined by ',' without spaces;
//   the AVAs of a multi-valued RDN in encoding order, joined by '+';
// - keywords only for CN, C, L, ST, O, OU, STREET, DC, UID; any other type as a dotted OID with the value
//   as '#' + lower-case hex of its whole DER encoding; the same hex form for values that are not one of
//   PrintableString, T61String, IA5String, GeneralString, UTF8String, BMPString;
// - string values are the content bytes decoded as UTF-8 whatever the string type (as the JDK does), then
//   `,=+<>#;"\` are backslash-escaped anywhere, NUL becomes `\00`, and leading/trailing spaces and CRs
//   are each escaped.

import { X509Certificate } from 'node:crypto';
import { children, DerError, expect, readOid, readTlv, type Tlv } from './der.ts';

export { DerError };

const KEYWORDS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

// PrintableString, T61String, IA5String, GeneralString, UTF8String, BMPString
const STRING_TAGS = new Set([0x13, 0x14, 0x16, 0x1b, 0x0c, 0x1e]);
const ESCAPEES = ',=+<>#;"\\';
const utf8 = new TextDecoder('utf-8');

function escapeValue(value: string): string {
  let s = '';
  for (const c of value) {
    if (ESCAPEES.includes(c)) s += `\\${c}`;
    else if (c === '\u0000') s += '\\00';
    else s += c;
  }
  let lead = 0;
  while (lead < s.length && (s[lead] === ' ' || s[lead] === '\r')) lead++;
  let trail = s.length - 1;
  while (trail >= 0 && (s[trail] === ' ' || s[trail] === '\r')) trail--;
  if (lead === 0 && trail === s.length - 1) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) out += (i < lead || i > trail ? '\\' : '') + s[i];
  return out;
}

function renderAva(der: Uint8Array, ava: Tlv): string {
  const [type, value] = children(der, expect(ava, 0x30, 'AttributeTypeAndValue'));
  const oid = readOid(der, expect(type, 0x06, 'attribute type OID'));
  if (value === undefined) throw new DerError('attribute without a value');
  const keyword = KEYWORDS[oid];
  if (keyword === undefined || !STRING_TAGS.has(value.tag)) {
    return `${keyword ?? oid}=#${Buffer.from(der.subarray(value.start, value.end)).toString('hex')}`;
  }
  return `${keyword}=${escapeValue(utf8.decode(der.subarray(value.contentStart, value.end)))}`;
}

/** Renders a Name found inside a larger DER structure (a certificate, a CRL). */
export function renderName(der: Uint8Array, name: Tlv): string {
  const rdns = children(der, expect(name, 0x30, 'Name (SEQUENCE)'));
  return rdns
    .reverse()
    .map((rdn) =>
      children(der, expect(rdn, 0x31, 'RelativeDistinguishedName (SET)'))
        .map((ava) => renderAva(der, ava))
        .join('+'),
    )
    .join(',');
}

/** Renders a DER-encoded X.501 Name (RDNSequence). */
export function rfc2253FromNameDer(der: Uint8Array): string {
  const name = readTlv(der, 0);
  if (name.end !== der.length) throw new DerError('trailing bytes after the Name');
  return renderName(der, name);
}

function certificateNames(der: Uint8Array): { issuer: Tlv; subject: Tlv } {
  const cert = expect(readTlv(der, 0), 0x30, 'Certificate (SEQUENCE)');
  const tbs = children(der, expect(children(der, cert)[0], 0x30, 'TBSCertificate'));
  const fields = tbs[0]?.tag === 0xa0 ? tbs.slice(1) : tbs; // skip [0] version
  // serialNumber, signature, issuer, validity, subject
  return { issuer: expect(fields[2], 0x30, 'issuer Name'), subject: expect(fields[4], 0x30, 'subject Name') };
}

function derOf(cert: X509Certificate | Uint8Array): Uint8Array {
  return cert instanceof X509Certificate ? cert.raw : cert;
}

/** The subject of a certificate (Node's X509Certificate or its DER) as Java's X500Principal.getName(). */
export function subjectDn(cert: X509Certificate | Uint8Array): string {
  const der = derOf(cert);
  return renderName(der, certificateNames(der).subject);
}

/** The issuer, rendered the same way. */
export function issuerDn(cert: X509Certificate | Uint8Array): string {
  const der = derOf(cert);
  return renderName(der, certificateNames(der).issuer);
}
