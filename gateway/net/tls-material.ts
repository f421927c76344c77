// A listener's TLS material: server certificate and key (PEM or PKCS#12), trusted client CAs and
// CRLs, read from files into secure-context options and checked by building a context. Reloaded when
// a file changes (polled, so rename-into-place updates count) or on demand (SIGHUP); a file that will
// not load is refused and the material in force stays. CRLs are checked as OpenSSL will use them at
// each handshake (by the spec's `checkCrls`, from auth/): one that has expired, is not yet valid or is
// not signed by a configured client CA would refuse every client, so it is refused at load instead.
import { constants, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';

export type TlsMaterialSpec = {
  server:
    | { kind: 'pem'; certificateFile: string; keyFile: string; keyPassword: string | null }
    | { kind: 'pkcs12'; keystoreFile: string; password: string };
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  ciphers: string | null;
  clientAuth: 'none' | 'requested' | 'required';
  clientCaFile: string | null;
  crlFiles: string[];
  /** Checks CRLs against the client CAs (auth/crl.ts `checkCrls`; net reads no X.509 names itself). */
  checkCrls: CrlChecker;
};

/** A CRL in force: the file it came from, the client CA that signed it and its validity. */
export type CrlInForce = { file: string; issuer: string; thisUpdate: Date; nextUpdate: Date | null };

/**
 * Refuses CRLs OpenSSL would use to refuse every client of a CA: expired, not yet valid, not signed by
 * a client CA, or a client CA left without one. On success: each CRL (one per PEM block) as PEM.
 */
export type CrlChecker = (
  clientCas: { file: string; certificates: X509Certificate[] },
  crlFiles: Array<{ file: string; text: string }>,
  now: Date,
) => { ok: true; crls: Array<CrlInForce & { pem: string }> } | { ok: false; file: string; reason: string };

/**
 * TLS 1.2 suites used when a listener sets no `ciphers`: Mozilla's "intermediate" profile (ECDHE key
 * exchange, AEAD ciphers only) without its two DHE-RSA suites. DHE costs the server a large modular
 * exponentiation per handshake that a client can force cheaply (CVE-2002-20001), Node offers DHE only
 * with explicit `dhparam`, and every client able to use AES-GCM in TLS 1.2 also speaks ECDHE.
 * TLS 1.3 suites are all AEAD; OpenSSL's defaults are kept.
 */
export const DEFAULT_TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export type LoadedMaterial = {
  options: tls.SecureContextOptions;
  /** The server certificate's subject and expiry (for the log line and the expiry metric). */
  serverSubject: string | null;
  serverNotAfter: Date | null;
  crls: CrlInForce[];
};

export class TlsMaterialError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'TlsMaterialError';
  }
}

function read(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new TlsMaterialError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Every file the material is read from (what the watcher polls). */
export function materialFiles(spec: TlsMaterialSpec): string[] {
  const server = spec.server.kind === 'pem' ? [spec.server.certificateFile, spec.server.keyFile] : [spec.server.keystoreFile];
  return [...server, ...(spec.clientCaFile ? [spec.clientCaFile] : []), ...spec.crlFiles];
}

/**
 * OpenSSL options of every listener: TLS 1.2 renegotiation is refused (a client could otherwise make
 * the server redo handshakes at will; TLS 1.3 has none). Where client certificates are verified, no
 * session is resumed either, neither by ticket (TLS 1.2 and 1.3) nor by session id (the gateway keeps
 * no session cache): a resumed session skips the certificate and CRL checks, so it would outlive a
 * revocation or the certificate's expiry. Listeners without client certificates keep resumption.
 */
function secureOptions(clientAuth: TlsMaterialSpec['clientAuth']): number {
  return constants.SSL_OP_NO_RENEGOTIATION | (clientAuth === 'none' ? 0 : constants.SSL_OP_NO_TICKET);
}

/** Reads and checks the material; throws TlsMaterialError naming the file at fault. `now` is when CRLs must be valid. */
export function loadTlsMaterial(spec: TlsMaterialSpec, now = new Date()): LoadedMaterial {
  const options: tls.SecureContextOptions = {
    minVersion: spec.minVersion,
    ciphers: spec.ciphers ?? DEFAULT_TLS12_CIPHERS,
    secureOptions: secureOptions(spec.clientAuth),
  };
  let serverFile: string;
  if (spec.server.kind === 'pem') {
    serverFile = spec.server.certificateFile;
    options.cert = read(spec.server.certificateFile);
    options.key = read(spec.server.keyFile);
    if (spec.server.keyPassword !== null) options.passphrase = spec.server.keyPassword;
  } else {
    serverFile = spec.server.keystoreFile;
    options.pfx = read(spec.server.keystoreFile);
    options.passphrase = spec.server.password;
  }
  let clientCas: X509Certificate[] = [];
  if (spec.clientCaFile) {
    const bundle = read(spec.clientCaFile);
    options.ca = bundle;
    clientCas = certificatesIn(spec.clientCaFile, bundle);
  }
  let crls: CrlInForce[] = [];
  if (spec.crlFiles.length > 0) {
    if (!spec.clientCaFile) throw new TlsMaterialError(spec.crlFiles[0], 'CRLs need the client CAs that sign them (clientCa)');
    const files = spec.crlFiles.map((file) => ({ file, text: read(file).toString('latin1') }));
    const checked = spec.checkCrls({ file: spec.clientCaFile, certificates: clientCas }, files, now);
    if (!checked.ok) throw new TlsMaterialError(checked.file, checked.reason);
    crls = checked.crls.map(({ pem: _pem, ...crl }) => crl);
    // One PEM block per entry: Node reads only the first CRL of each buffer it is given.
    options.crl = checked.crls.map((c) => Buffer.from(c.pem, 'latin1'));
  }

  // Building a context is the check: a key that does not match, a wrong password, a broken CRL fail here.
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext(options);
  } catch (err) {
    const message = (err as Error).message;
    const culprit =
      /CRL/i.test(message) && spec.crlFiles.length > 0 ? spec.crlFiles.join(', ') : /cipher/i.test(message) ? 'ciphers' : serverFile;
    throw new TlsMaterialError(culprit, message);
  }
  const cert = serverCertificate(options, context);
  if (cert && Date.parse(cert.validTo) < now.getTime()) {
    throw new TlsMaterialError(serverFile, `the server certificate expired on ${cert.validTo}`);
  }
  return { options, serverSubject: cert?.subject.replace(/\n/g, ', ') ?? null, serverNotAfter: cert ? new Date(cert.validTo) : null, crls };
}

/** The options a listener's TLS server is created with (and which a per-socket TLSSocket would take). */
export function serverTlsOptions(
  material: LoadedMaterial,
  config: { clientAuth: TlsMaterialSpec['clientAuth']; handshakeTimeoutMs: number },
): tls.TlsOptions {
  return {
    ...material.options,
    requestCert: config.clientAuth !== 'none',
    // The gateway checks socket.authorized itself: Node's own refusal gives no reason to log.
    rejectUnauthorized: false,
    handshakeTimeout: config.handshakeTimeoutMs,
  };
}

function certificatesIn(file: string, bundle: Buffer): X509Certificate[] {
  const blocks = bundle.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new TlsMaterialError(file, 'not a PEM certificate bundle (no CERTIFICATE block)');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new TlsMaterialError(file, `not a PEM certificate bundle (certificate ${i + 1}: ${(err as Error).message})`);
    }
  });
}

export type CrlState = 'valid' | 'expiring' | 'expired';

/**
 * Where a CRL stands at `now`: `expiring` once less than `warnBeforeMs` (default: a quarter of its
 * validity period) is left before nextUpdate, `expired` after it. `changesAt`: when the state next changes.
 */
export function crlState(crl: CrlInForce, now: Date, warnBeforeMs: number | null): { state: CrlState; changesAt: Date | null } {
  if (!crl.nextUpdate) return { state: 'valid', changesAt: null };
  const end = crl.nextUpdate.getTime();
  const warnAt = end - (warnBeforeMs ?? (end - crl.thisUpdate.getTime()) / 4);
  if (now.getTime() >= end) return { state: 'expired', changesAt: null };
  if (now.getTime() >= warnAt) return { state: 'expiring', changesAt: crl.nextUpdate };
  return { state: 'valid', changesAt: new Date(warnAt) };
}

function serverCertificate(options: tls.SecureContextOptions, context: tls.SecureContext): X509Certificate | null {
  try {
    if (options.cert) return new X509Certificate(options.cert as Buffer);
    // PKCS#12: the context holds the certificate it took from the keystore.
    const der = (context.context as { getCertificate?: () => Buffer | undefined }).getCertificate?.();
    return der ? new X509Certificate(der) : null;
  } catch {
    return null;
  }
}

export type ReloadResult = { ok: true; material: LoadedMaterial } | { ok: false; error: TlsMaterialError };

/**
 * Holds the material in force and replaces it when its files change or `reload()` is called.
 * `onReload` hears every attempt; on failure the previous material stays current.
 */
export class TlsMaterialWatcher {
  private material: LoadedMaterial;
  private readonly files: string[];
  private pending: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private readonly poll = (cur: fs.Stats, prev: fs.Stats) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    // Several files usually change together (certificate and key): settle, then load once.
    if (this.pending) clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = null;
      this.reload('file change');
    }, this.settleMs);
    this.pending.unref();
  };

  constructor(
    private readonly spec: TlsMaterialSpec,
    private readonly onReload: (result: ReloadResult, trigger: string) => void,
    private readonly pollMs = 1_000,
    private readonly settleMs = 300,
  ) {
    this.material = loadTlsMaterial(spec);
    this.files = materialFiles(spec);
  }

  get current(): LoadedMaterial {
    return this.material;
  }

  watch(): void {
    for (const file of this.files) fs.watchFile(file, { interval: this.pollMs, persistent: false }, this.poll);
  }

  /**
   * Runs `check` on the material in force now, then again after the delay it returns (ms; clamped to
   * 1 s – 1 h, so time-based states such as a CRL's expiry are re-checked when they change). A new
   * call replaces the previous check; `close()` stops it.
   */
  monitor(check: (material: LoadedMaterial) => number): void {
    if (this.checkTimer) clearTimeout(this.checkTimer);
    const delay = Math.min(Math.max(check(this.material), 1_000), 3_600_000);
    this.checkTimer = setTimeout(() => this.monitor(check), delay);
    this.checkTimer.unref();
  }

  reload(trigger: string): ReloadResult {
    let result: ReloadResult;
    try {
      result = { ok: true, material: loadTlsMaterial(this.spec) };
      this.material = result.material;
    } catch (err) {
      if (!(err instanceof TlsMaterialError)) throw err;
      result = { ok: false, error: err };
    }
    this.onReload(result, trigger);
    return result;
  }

  close(): void {
    if (this.pending) clearTimeout(this.pending);
    if (this.checkTimer) clearTimeout(this.checkTimer);
    for (const file of this.files) fs.unwatchFile(file, this.poll);
  }
}
