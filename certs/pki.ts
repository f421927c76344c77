// Certificate building blocks: RSA keys from Node's crypto (forge's pure-JS key generation is slow),
// X.509 certificates built and signed (SHA-256/RSA) by node-forge.

import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export type KeyBits = 2048 | 3072 | 4096;
export const KEY_BITS: readonly KeyBits[] = [2048, 3072, 4096];

/** A private key as PKCS#8 PEM (what Kafka's PEM key stores and Node's tls both read). */
export interface KeyPairPem {
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export function generateRsaKeyPair(bits: KeyBits = 2048): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** Subject fields, written most general first (C, ST, L, O, OU…, CN) as is customary. */
export interface SubjectFields {
  readonly CN: string;
  readonly O?: string;
  readonly OU?: readonly string[];
  readonly L?: string;
  readonly ST?: string;
  readonly C?: string;
}

export type SanType = 'dns' | 'ip' | 'uri' | 'email';
export interface SanEntry {
  readonly type: SanType;
  readonly value: string;
}

export function sanToString(san: SanEntry): string {
  const label = { dns: 'DNS', ip: 'IP', uri: 'URI', email: 'email' }[san.type];
  return `${label}:${san.value}`;
}

/** The validity window: `notBefore` (default: now minus 5 minutes, for clock skew) plus `days`. */
export interface ValidityOptions {
  readonly days: number;
  readonly notBefore?: Date;
}

export type CertificateKind = 'ca' | 'server' | 'client';

export interface IssuedCertificate {
  readonly kind: CertificateKind;
  readonly certPem: string;
  readonly keyPem: string;
  /** Lower-case hex, as in `openssl x509 -serial` (without leading zeros beyond one byte). */
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** What an issuer needs: its certificate and private key. */
export interface IssuerMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

const CLOCK_SKEW_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** A random positive serial of 16 bytes (RFC 5280 allows up to 20; the top bit is cleared). */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x10; // positive, and no leading zero byte to strip
  return bytes.toString('hex');
}

export function validityWindow(options: ValidityOptions): { notBefore: Date; notAfter: Date } {
  if (!Number.isFinite(options.days) || options.days <= 0)
    throw new Error(`validity must be a positive number of days, got ${options.days}`);
  const notBefore = new Date(Math.floor((options.notBefore?.getTime() ?? Date.now() - CLOCK_SKEW_MS) / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + Math.round(options.days * DAY_MS));
  return { notBefore, notAfter };
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function subjectAttributes(subject: SubjectFields): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [];
  const add = (shortName: string, value: string | undefined) => {
    if (value === undefined || value === '') return;
    // PrintableString where it fits (as openssl does), UTF8String otherwise ('*', '@', '_', non-ASCII).
    // (@types/node-forge types valueTagClass as an asn1.Class; forge reads it as the value's tag.)
    const field: Record<string, unknown> = { shortName, value };
    if (!PRINTABLE.test(value)) field.valueTagClass = forge.asn1.Type.UTF8;
    attrs.push(field);
  };
  if (subject.C !== undefined && !/^[A-Za-z]{2}$/.test(subject.C)) throw new Error(`country must be two letters, got '${subject.C}'`);
  add('C', subject.C);
  add('ST', subject.ST);
  add('L', subject.L);
  add('O', subject.O);
  for (const ou of subject.OU ?? []) add('OU', ou);
  if (subject.CN === '') throw new Error('the common name (CN) must not be empty');
  add('CN', subject.CN);
  return attrs;
}

/** Validates a SAN; DNS names may carry one leading wildcard label (`*.kafka.example.com`). */
export function checkSan(san: SanEntry): void {
  switch (san.type) {
    case 'dns': {
      const labels = san.value.split('.');
      const ok =
        san.value.length <= 253 &&
        labels.length >= 1 &&
        labels.every((l, i) => (i === 0 && l === '*' && labels.length >= 3) || /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/.test(l));
      if (!ok)
        throw new Error(
          `invalid DNS name '${san.value}' (a wildcard is allowed only as the whole leftmost label of a name with at least three labels)`,
        );
      return;
    }
    case 'ip':
      if (isIP(san.value) === 0) throw new Error(`invalid IP address '${san.value}'`);
      return;
    case 'uri':
      if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(san.value)) throw new Error(`invalid URI '${san.value}'`);
      return;
    case 'email':
      if (!/^[^\s@]+@[^\s@]+$/.test(san.value)) throw new Error(`invalid email address '${san.value}'`);
      return;
  }
}

function altName(san: SanEntry): Record<string, unknown> {
  switch (san.type) {
    case 'dns':
      return { type: 2, value: san.value };
    case 'ip':
      return { type: 7, ip: san.value };
    case 'uri':
      return { type: 6, value: san.value };
    case 'email':
      return { type: 1, value: san.value };
  }
}

function serialOf(cert: forge.pki.Certificate): string {
  return cert.serialNumber.toLowerCase();
}

interface BuildOptions {
  readonly kind: CertificateKind;
  readonly subject: SubjectFields;
  readonly sans: readonly SanEntry[];
  readonly validity: ValidityOptions;
  readonly keyBits: KeyBits;
  /** Absent for a self-signed CA. */
  readonly issuer?: IssuerMaterial;
}

function build(options: BuildOptions): IssuedCertificate {
  for (const san of options.sans) checkSan(san);
  const keys = generateRsaKeyPair(options.keyBits);
  const { notBefore, notAfter } = validityWindow(options.validity);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKeyPem);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject = subjectAttributes(options.subject);
  cert.setSubject(subject);

  let signingKey: forge.pki.rsa.PrivateKey;
  const extensions: Record<string, unknown>[] = [];
  if (options.issuer === undefined) {
    cert.setIssuer(subject);
    signingKey = forgePrivateKey(keys.privateKeyPem);
    extensions.push(
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    );
  } else {
    const issuerCert = forge.pki.certificateFromPem(options.issuer.certPem);
    if (new Date() > issuerCert.validity.notAfter) throw new Error('the CA certificate has expired');
    cert.setIssuer(issuerCert.subject.attributes);
    signingKey = forgePrivateKey(options.issuer.keyPem);
    extensions.push(
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      options.kind === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      { name: 'subjectKeyIdentifier' },
      { name: 'authorityKeyIdentifier', keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes() },
    );
  }
  if (options.sans.length > 0) extensions.push({ name: 'subjectAltName', altNames: options.sans.map(altName) });
  cert.setExtensions(extensions);
  cert.sign(signingKey, forge.md.sha256.create());
  return {
    kind: options.kind,
    certPem: forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n'),
    keyPem: keys.privateKeyPem,
    serial: serialOf(cert),
    notBefore,
    notAfter,
  };
}

/** forge reads PKCS#1 reliably; convert whatever PEM we have through Node first. */
export function forgePrivateKey(pem: string): forge.pki.rsa.PrivateKey {
  const pkcs1 = createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' }) as string;
  return forge.pki.privateKeyFromPem(pkcs1);
}

export interface CaOptions {
  readonly subject: SubjectFields;
  readonly validity: ValidityOptions;
  readonly keyBits?: KeyBits;
}

export function createCa(options: CaOptions): IssuedCertificate {
  return build({ kind: 'ca', subject: options.subject, sans: [], validity: options.validity, keyBits: options.keyBits ?? 3072 });
}

export interface LeafOptions {
  readonly subject: SubjectFields;
  readonly sans: readonly SanEntry[];
  readonly validity: ValidityOptions;
  readonly keyBits?: KeyBits;
}

/** A TLS server certificate: DNS/IP SANs (wildcards allowed), serverAuth. */
export function issueServerCertificate(issuer: IssuerMaterial, options: LeafOptions): IssuedCertificate {
  if (!options.sans.some((s) => s.type === 'dns' || s.type === 'ip'))
    throw new Error('a server certificate needs at least one DNS name or IP address');
  if (options.sans.some((s) => s.type !== 'dns' && s.type !== 'ip')) throw new Error('a server certificate takes only DNS and IP SANs');
  return build({ kind: 'server', ...options, keyBits: options.keyBits ?? 2048, issuer });
}

/** A TLS client certificate: CN/O/OU and URI/DNS/email SANs, clientAuth. */
export function issueClientCertificate(issuer: IssuerMaterial, options: LeafOptions): IssuedCertificate {
  if (options.sans.some((s) => s.type === 'ip')) throw new Error('a client certificate takes URI, DNS and email SANs, not IP');
  return build({ kind: 'client', ...options, keyBits: options.keyBits ?? 2048, issuer });
}

/** A one-line subject for listings (`CN=…, O=…`, most specific first), from Node's parser. */
export function subjectLine(certPem: string): string {
  return new X509Certificate(certPem).subject.split('\n').reverse().join(', ');
}
