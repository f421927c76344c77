// A throw-away PKI for TLS tests, made with the project's own certificate tool: a CA whose server
// certificate covers localhost, 127.0.0.1 and the SNI names *.kafka.test, plus a second, untrusted CA.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { CertificateAuthority, type IndexEntry, type IssueOptions } from '../../certs/index.ts';

export const SNI_DOMAIN = 'kafka.test';
export const STORE_PASSWORD = 'gatehouse-test';

export type TestPki = {
  dir: string;
  ca: CertificateAuthority;
  /** A second CA nobody trusts, with its own folder. */
  stranger: CertificateAuthority;
  server: IndexEntry;
  /** Absolute path of a file in the CA folder (`ca/ca.crt`, `ca/crl.pem`, an entry's certFile…). */
  file: (relative: string) => string;
  /** Issues a client certificate (RSA 2048) and returns its absolute cert and key paths. */
  client: (name: string, options?: Partial<IssueOptions>, by?: CertificateAuthority) => { entry: IndexEntry; cert: string; key: string };
  cleanup: () => void;
};

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pki-'));
  const ca = CertificateAuthority.init(path.join(dir, 'main'), {
    keyBits: 2048,
    subject: { CN: 'Gatehouse Test CA', O: 'Gatehouse Tests' },
  });
  const stranger = CertificateAuthority.init(path.join(dir, 'stranger'), { keyBits: 2048, subject: { CN: 'Stranger CA' } });
  const server = ca.issueServer({
    name: 'gateway',
    subject: { CN: 'localhost' },
    sans: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: `*.${SNI_DOMAIN}` },
    ],
    keyBits: 2048,
  });
  const file = (relative: string) => path.join(ca.dir, relative);
  return {
    dir,
    ca,
    stranger,
    server,
    file,
    client: (name, options = {}, by = ca) => {
      const entry = by.issueClient({ name, subject: { CN: name, O: 'Acme' }, sans: [], keyBits: 2048, ...options });
      return { entry, cert: path.join(by.dir, entry.certFile), key: path.join(by.dir, entry.keyFile) };
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Issues one more server certificate for localhost and 127.0.0.1 (a replacement, for rotation tests). */
export function issueLocalhostServer(pki: TestPki, name: string): IndexEntry {
  return pki.ca.issueServer({
    name,
    subject: { CN: 'localhost' },
    sans: [
      { type: 'dns', value: 'localhost' },
      { type: 'ip', value: '127.0.0.1' },
    ],
    keyBits: 2048,
  });
}

/** Puts an issued certificate and key in `dir` as server.crt/server.key the way deployment tools do (write beside, rename over); returns its serial as Node reports it. */
export function installServerCertificate(pki: TestPki, name: string, dir: string): string {
  const entry = pki.ca.find(name);
  if (!entry) throw new Error(`no certificate '${name}'`);
  for (const [from, to] of [
    [entry.certFile, 'server.crt'],
    [entry.keyFile, 'server.key'],
  ]) {
    fs.copyFileSync(pki.file(from), path.join(dir, `${to}.new`));
    fs.renameSync(path.join(dir, `${to}.new`), path.join(dir, to));
  }
  return entry.serial.toUpperCase();
}

/** The serial of the certificate a TLS listener on 127.0.0.1:port presents to a brand-new connection. */
export function presentedSerial(port: number, pki: TestPki): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(pki.file('ca/ca.crt')) }, () => {
      resolve(socket.getPeerX509Certificate()!.serialNumber);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

/** The Java client's SSL settings for a PKCS#12 key store and trust store made by `ca.bundle(…, { password: STORE_PASSWORD })`. */
export function javaSslProperties(stores: { keyStore?: string; trustStore: string }): Record<string, string> {
  return {
    'security.protocol': 'SSL',
    'ssl.keystore.type': 'PKCS12',
    'ssl.keystore.location': stores.keyStore!,
    'ssl.keystore.password': STORE_PASSWORD,
    'ssl.truststore.type': 'PKCS12',
    'ssl.truststore.location': stores.trustStore,
    'ssl.truststore.password': STORE_PASSWORD,
  };
}

/** A listener's `tls` section: the test server certificate, client certificates from the test CA required, principals by `rules`. */
export function mtlsListenerTls(pki: TestPki, principalMappingRules: string): Record<string, string> {
  return {
    certificate: pki.file(pki.server.certFile),
    key: pki.file(pki.server.keyFile),
    clientAuth: 'required',
    clientCa: pki.file('ca/ca.crt'),
    principalMappingRules,
  };
}
