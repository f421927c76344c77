// PKCS#12 files for Java clients (no keytool needed):
// - a key store: the private key (PBES2/AES-256 encrypted) with its certificate chain, one PrivateKeyEntry;
// - a trust store: CA certificates as certBags carrying Java's "trusted key usage" attribute, which is what
//   makes Java's PKCS12 KeyStore load them as trustedCertEntry (a bare certBag is ignored by it).

import forge from 'node-forge';
import { forgePrivateKey } from './pki.ts';

const { asn1 } = forge;

/** Oracle's attribute that marks a certBag as a trusted certificate (value: a set of EKU OIDs). */
const ORACLE_TRUSTED_KEY_USAGE = '2.16.840.1.113894.746875.1.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
const ITERATIONS = 10_000;

export interface KeyStoreOptions {
  readonly keyPem: string;
  /** Leaf first, then its issuers. */
  readonly chainPem: readonly string[];
  readonly password: string;
  /** The entry's alias (PKCS#12 friendlyName). */
  readonly alias: string;
}

export function buildKeyStore(options: KeyStoreOptions): Buffer {
  const pfx = forge.pkcs12.toPkcs12Asn1(
    forgePrivateKey(options.keyPem),
    options.chainPem.map((pem) => forge.pki.certificateFromPem(pem)),
    options.password,
    { algorithm: 'aes256', count: ITERATIONS, friendlyName: options.alias },
  );
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

export interface TrustStoreOptions {
  readonly certificates: readonly { readonly alias: string; readonly certPem: string }[];
  readonly password: string;
}

const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const oid = (dotted: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (item: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item]);
const der = (item: forge.asn1.Asn1) => asn1.toDer(item).getBytes();

/** ContentInfo of type `data` wrapping DER bytes. */
const dataContent = (bytes: string) => seq([oid(forge.pki.oids.data), explicit0(octets(bytes))]);

export function buildTrustStore(options: TrustStoreOptions): Buffer {
  const bags = options.certificates.map(({ alias, certPem }) => {
    const certDer = der(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(certPem)));
    const certBag = seq([oid(forge.pki.oids.x509Certificate), explicit0(octets(certDer))]);
    const attributes = set([
      seq([oid(forge.pki.oids.friendlyName), set([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, alias)])]),
      seq([oid(ORACLE_TRUSTED_KEY_USAGE), set([oid(ANY_EXTENDED_KEY_USAGE)])]),
    ]);
    return seq([oid(forge.pki.oids.certBag), explicit0(certBag), attributes]);
  });
  const authenticatedSafe = seq([dataContent(der(seq(bags)))]);

  // MacData: HMAC-SHA1 under the PKCS#12 KDF (ID 3), as every PKCS#12 reader expects.
  const salt = forge.random.getBytesSync(16);
  const macKey = forge.pkcs12.generateKey(options.password, forge.util.createBuffer(salt), 3, ITERATIONS, 20);
  const hmac = forge.hmac.create();
  hmac.start(forge.md.sha1.create(), macKey);
  hmac.update(der(authenticatedSafe));
  const macData = seq([
    seq([seq([oid(forge.pki.oids.sha1), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(hmac.digest().getBytes())]),
    octets(salt),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(ITERATIONS).getBytes()),
  ]);
  const pfx = seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes()),
    dataContent(der(authenticatedSafe)),
    macData,
  ]);
  return Buffer.from(der(pfx), 'binary');
}
