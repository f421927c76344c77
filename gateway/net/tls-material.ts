// A listener's TLS material: server certificate and key (PEM or PKCS#12), trusted client CAs and
// CRLs, read from files into secure-context options and checked by building a context. Reloaded when
// a file changes (polled, so rename-into-place updates count) or on demand (SIGHUP); a file that will
// not load is refused and the material in force stays.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';

export type TlsMaterialSpec = {
  server:
    | { kind: 'pem'; certificateFile: string; keyFile: string; keyPassword: string | null }
    | { kind: 'pkcs12'; keystoreFile: string; password: string };
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  ciphers: string | null;
  clientCaFile: string | null;
  crlFiles: string[];
};

export type LoadedMaterial = {
  options: tls.SecureContextOptions;
  /** The server certificate's subject and expiry (for the log line and the expiry metric). */
  serverSubject: string | null;
  serverNotAfter: Date | null;
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

/** Reads and checks the material; throws TlsMaterialError naming the file at fault. */
export function loadTlsMaterial(spec: TlsMaterialSpec): LoadedMaterial {
  const options: tls.SecureContextOptions = { minVersion: spec.minVersion };
  if (spec.ciphers) options.ciphers = spec.ciphers;
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
  if (spec.clientCaFile) {
    options.ca = read(spec.clientCaFile);
    try {
      new X509Certificate(options.ca as Buffer);
    } catch (err) {
      throw new TlsMaterialError(spec.clientCaFile, `not a PEM certificate bundle (${(err as Error).message})`);
    }
  }
  if (spec.crlFiles.length > 0) options.crl = spec.crlFiles.map(read);

  // Building a context is the check: a key that does not match, a wrong password, a broken CRL fail here.
  let context: tls.SecureContext;
  try {
    context = tls.createSecureContext(options);
  } catch (err) {
    const message = (err as Error).message;
    const culprit = /CRL/i.test(message) && spec.crlFiles.length > 0 ? spec.crlFiles.join(', ') : serverFile;
    throw new TlsMaterialError(culprit, message);
  }
  const cert = serverCertificate(options, context);
  if (cert && Date.parse(cert.validTo) < Date.now()) {
    throw new TlsMaterialError(serverFile, `the server certificate expired on ${cert.validTo}`);
  }
  return { options, serverSubject: cert?.subject.replace(/\n/g, ', ') ?? null, serverNotAfter: cert ? new Date(cert.validTo) : null };
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
    for (const file of this.files) fs.unwatchFile(file, this.poll);
  }
}
