// Admission of a client connection on one listener, before any Kafka byte is read:
//   accept → PROXY header (only from trusted load balancers) → IP allow/deny on the real address
//   → TLS handshake (client certificate checked here, not by Node, so the refusal can say why)
//   → principal (certificate DN rules or SAN, IP identity, or User:ANONYMOUS) → session.
// Every refusal is a log line with peer, listener and reason, and a metric; the socket is destroyed.
import type net from 'node:net';
import tls from 'node:tls';
import type { ClientIdentity, IdentityMethod, TlsSessionInfo } from '../auth/client-identity.ts';
import { revokedCertificates } from '../auth/crl.ts';
import { issuerDn, subjectDn } from '../auth/dn.ts';
import { CidrList, IpAccessList, IpIdentityMap, normalizeAddress } from '../auth/ip-rules.ts';
import { KafkaPrincipal } from '../auth/principal.ts';
import { ProxyProtocolDecoder, V2_SIGNATURE } from '../auth/proxy-protocol.ts';
import { SanPrincipalMapper } from '../auth/san-principal.ts';
import { SslPrincipalMapper } from '../auth/ssl-principal-mapper.ts';
import { principalFromCertificate, type TlsIdentityOptions } from '../auth/tls-identity.ts';
import type { ListenerConfig } from '../config/schema.ts';
import { TlsMaterialWatcher, type ReloadResult } from '../net/tls-material.ts';
import type { Logger } from '../observability/logger.ts';
import { clientsAuthenticatedTotal, connectionsRefusedTotal, tlsCertificateExpiry, tlsLastReloadSuccess, tlsReloadsTotal } from '../observability/proxy-metrics.ts';

export type RefusalReason =
  | 'ip-denied'
  | 'ip-identity-unmapped'
  | 'proxy-untrusted'
  | 'proxy-malformed'
  | 'proxy-timeout'
  | 'tls-handshake-failed'
  | 'client-certificate-missing'
  | 'client-certificate-invalid'
  | 'principal-mapping-failed'
  | 'unknown-server-name'
  | 'broker-unknown'
  | 'shutting-down';

type Peer = { address: string; port: number };
/** What happens to an admitted connection (the listener port decides, so it travels with the socket). */
export type OnAdmitted = (socket: net.Socket, identity: ClientIdentity) => void;
type Pending = { peer: Peer; then: OnAdmitted };

const PROXY_V1_PREFIX = Buffer.from('PROXY ', 'latin1');

/** Whether the first bytes of a connection could be the start of a PROXY protocol header. */
function looksLikeProxyHeader(chunk: Buffer): boolean {
  const starts = (sig: Buffer) => chunk.subarray(0, sig.length).equals(sig.subarray(0, Math.min(sig.length, chunk.length)));
  return chunk.length > 0 && (starts(PROXY_V1_PREFIX) || starts(V2_SIGNATURE));
}

function socketPeer(socket: net.Socket): Peer {
  const address = socket.remoteAddress ?? '';
  return { address: normalizeAddress(address)?.address ?? address, port: socket.remotePort ?? 0 };
}

export class ListenerAdmission {
  private readonly access: IpAccessList;
  private readonly ipIdentities: IpIdentityMap | null;
  private readonly proxyTrusted: CidrList | null;
  private readonly tlsServer: tls.Server | null = null;
  private readonly tlsIdentity: TlsIdentityOptions | null = null;
  /** TLS material in force, reloaded on file change and SIGHUP (null on a plaintext listener). */
  readonly material: TlsMaterialWatcher | null = null;
  private revocationListener: ((revoked: Set<string>) => void) | null = null;
  /** Real client addresses of connections in their TLS handshake, by the socket's own peer. */
  private readonly handshaking = new Map<string, Pending>();

  /** Throws TlsMaterialError or InvalidSslMappingRulesError when the listener's TLS settings cannot be used. */
  constructor(
    private readonly config: ListenerConfig,
    private readonly logger: Logger,
  ) {
    this.access = new IpAccessList({ allow: config.network.allow, deny: config.network.deny });
    this.ipIdentities = config.network.identities
      ? new IpIdentityMap({ map: config.network.identities, unmapped: config.network.unmappedIdentity })
      : null;
    this.proxyTrusted = config.proxyProtocol ? new CidrList(config.proxyProtocol.trustedSources) : null;
    const tlsConfig = config.tls;
    if (!tlsConfig) return;
    this.tlsIdentity = {
      dnMapper: SslPrincipalMapper.fromRules(tlsConfig.principalMappingRules),
      san: tlsConfig.principalFromSan.length > 0
        ? new SanPrincipalMapper(tlsConfig.principalFromSan.map((r) => ({ type: r.type, pattern: r.pattern ?? undefined })))
        : undefined,
      sanFallbackToDn: tlsConfig.sanFallbackToDn,
    };
    this.material = new TlsMaterialWatcher(tlsConfig, (result, trigger) => this.onReload(result, trigger));
    this.reportMaterial();
    this.tlsServer = tls.createServer({
      ...this.material.current.options,
      requestCert: tlsConfig.clientAuth !== 'none',
      // The gateway checks socket.authorized itself: Node's own refusal gives no reason to log.
      rejectUnauthorized: false,
      handshakeTimeout: tlsConfig.handshakeTimeoutMs,
    });
    this.tlsServer.on('secureConnection', (socket: tls.TLSSocket) => this.onSecure(socket));
    this.tlsServer.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      const pending = this.takeHandshaking(socket);
      this.refuse(socket, pending?.peer ?? socketPeer(socket), 'tls-handshake-failed', err.message);
    });
    this.material.watch();
  }

  /** A connection the listener has just accepted. */
  admit(raw: net.Socket, then: OnAdmitted): void {
    raw.on('error', () => {}); // a reset before the session owns the socket is just a closed connection
    const peer = socketPeer(raw);
    const proxy = this.config.proxyProtocol;
    if (proxy && this.proxyTrusted) {
      if (this.proxyTrusted.contains(peer.address)) return this.readProxyHeader(raw, peer, proxy.headerTimeoutMs, then);
      if (!proxy.allowDirect) return this.refuse(raw, peer, 'proxy-untrusted', 'source is not a trusted PROXY protocol sender');
      return this.rejectProxyHeaderFromUntrusted(raw, peer, then);
    }
    this.checkAddress(raw, peer, then);
  }

  /** Reloads the TLS material now (SIGHUP). */
  reloadTls(trigger: string): void {
    this.material?.reload(trigger);
  }

  close(): void {
    this.material?.close();
  }

  /** Hears the revoked certificates (revocation keys) each time new CRLs come into force. */
  onRevocations(listener: (revoked: Set<string>) => void): void {
    this.revocationListener = listener;
  }

  refuse(socket: net.Socket, peer: Peer, reason: RefusalReason, detail: string): void {
    this.logger.warn(
      { event: 'connection_refused', listener: this.config.name, peer: `${peer.address}:${peer.port}`, reason, detail },
      'connection refused',
    );
    connectionsRefusedTotal.inc({ listener: this.config.name, reason });
    socket.destroy();
  }

  private readProxyHeader(raw: net.Socket, socketPeer: Peer, timeoutMs: number, then: OnAdmitted): void {
    const decoder = new ProxyProtocolDecoder();
    raw.setTimeout(timeoutMs, () => {
      raw.removeListener('data', onData);
      this.refuse(raw, socketPeer, 'proxy-timeout', `no complete PROXY header within ${timeoutMs} ms`);
    });
    const onData = (chunk: Buffer) => {
      const result = decoder.push(chunk);
      if (result.kind === 'need-more') return;
      raw.removeListener('data', onData);
      raw.pause();
      raw.setTimeout(0);
      if (result.kind === 'error') return this.refuse(raw, socketPeer, 'proxy-malformed', result.reason);
      const rest = decoder.rest();
      if (rest.length > 0) raw.unshift(rest);
      const { header } = result;
      const real = header.command === 'proxy' && header.source ? header.source : socketPeer;
      const normalized = normalizeAddress(real.address)?.address ?? real.address;
      this.checkAddress(raw, { address: normalized, port: real.port }, then);
    };
    raw.on('data', onData);
  }

  private rejectProxyHeaderFromUntrusted(raw: net.Socket, peer: Peer, then: OnAdmitted): void {
    raw.once('data', (chunk: Buffer) => {
      raw.pause();
      if (looksLikeProxyHeader(chunk)) return this.refuse(raw, peer, 'proxy-untrusted', 'PROXY header from a source that is not trusted to send one');
      raw.unshift(chunk);
      this.checkAddress(raw, peer, then);
    });
  }

  private checkAddress(raw: net.Socket, peer: Peer, then: OnAdmitted): void {
    const decision = this.access.check(peer.address);
    if (!decision.allowed) return this.refuse(raw, peer, 'ip-denied', decision.rule);
    if (!this.tlsServer) {
      const ip = this.ipIdentity(peer);
      if (ip) this.admitted(raw, peer, ip.principal, ip.method, null, then);
      else this.refuse(raw, peer, 'ip-identity-unmapped', 'no IP identity covers this source');
      return;
    }
    const key = `${raw.remoteAddress}:${raw.remotePort}`;
    this.handshaking.set(key, { peer, then });
    raw.once('close', () => this.handshaking.delete(key));
    this.tlsServer.emit('connection', raw);
  }

  private takeHandshaking(socket: tls.TLSSocket): Pending | undefined {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    const pending = this.handshaking.get(key);
    this.handshaking.delete(key);
    return pending;
  }

  /** The principal a plaintext (or certificate-less TLS) connection gets from its address; null: refuse. */
  private ipIdentity(peer: Peer): { principal: KafkaPrincipal; method: IdentityMethod } | null {
    if (!this.ipIdentities) return { principal: KafkaPrincipal.ANONYMOUS, method: 'anonymous' };
    const result = this.ipIdentities.resolve(peer.address);
    if (!result.ok) return null;
    return { principal: result.principal, method: result.principal.equals(KafkaPrincipal.ANONYMOUS) ? 'anonymous' : 'ip' };
  }

  private onSecure(socket: tls.TLSSocket): void {
    const pending = this.takeHandshaking(socket);
    if (!pending) return void socket.destroy(); // its raw socket closed meanwhile
    const { peer, then } = pending;
    const clientAuth = this.config.tls!.clientAuth;
    const cert = socket.getPeerX509Certificate();
    let subject: string | null = null;
    let issuer: string | null = null;
    try {
      subject = cert ? subjectDn(cert) : null;
      issuer = cert ? issuerDn(cert) : null;
    } catch {
      subject = null; // reported below by the principal mapping
    }
    const info: TlsSessionInfo = {
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().name,
      serverName: typeof socket.servername === 'string' ? socket.servername.toLowerCase() : null,
      subject,
      serial: cert?.serialNumber ?? null,
      issuer,
    };
    if (clientAuth === 'required' && !cert) return this.refuse(socket, peer, 'client-certificate-missing', 'clientAuth is required and the client sent no certificate');
    if (cert && !socket.authorized) {
      return this.refuse(socket, peer, 'client-certificate-invalid', `${String(socket.authorizationError)} (subject ${subject ?? '?'}, serial ${cert.serialNumber})`);
    }
    if (clientAuth === 'none') {
      const ip = this.ipIdentity(peer);
      if (!ip) return this.refuse(socket, peer, 'ip-identity-unmapped', 'no IP identity covers this source');
      return this.admitted(socket, peer, ip.principal, ip.method, info, then);
    }
    const identity = principalFromCertificate(cert ?? undefined, this.tlsIdentity!);
    if (!identity.ok) return this.refuse(socket, peer, 'principal-mapping-failed', identity.reason);
    const method: IdentityMethod = identity.source === 'anonymous' ? 'anonymous' : identity.source === 'san' ? 'certificate-san' : 'certificate-dn';
    this.admitted(socket, peer, identity.principal, method, info, then);
  }

  private admitted(socket: net.Socket, peer: Peer, principal: KafkaPrincipal, method: IdentityMethod, tlsInfo: TlsSessionInfo | null, then: OnAdmitted): void {
    clientsAuthenticatedTotal.inc({ listener: this.config.name, method });
    then(socket, { address: peer.address, port: peer.port, principal, method, tls: tlsInfo });
  }

  private onReload(result: ReloadResult, trigger: string): void {
    const listener = this.config.name;
    tlsReloadsTotal.inc({ listener, result: result.ok ? 'success' : 'failure' });
    tlsLastReloadSuccess.set({ listener }, result.ok ? 1 : 0);
    if (!result.ok) {
      this.logger.error(
        { event: 'tls_reload_failed', listener, trigger, file: result.error.file, err: result.error.message },
        'new TLS material refused; the previous material stays in force',
      );
      return;
    }
    this.tlsServer?.setSecureContext(result.material.options);
    this.reportMaterial(trigger);
    const crls = result.material.options.crl as Buffer[] | undefined;
    if (crls && this.revocationListener) {
      try {
        this.revocationListener(revokedCertificates(crls.map((c) => c.toString('latin1')).join('\n')));
      } catch (err) {
        this.logger.warn({ event: 'crl_unreadable', listener, err: (err as Error).message }, 'cannot list revoked certificates; open connections are not re-checked');
      }
    }
  }

  private reportMaterial(trigger?: string): void {
    const m = this.material!.current;
    if (m.serverNotAfter) tlsCertificateExpiry.set({ listener: this.config.name }, Math.floor(m.serverNotAfter.getTime() / 1000));
    tlsLastReloadSuccess.set({ listener: this.config.name }, 1);
    this.logger.info(
      { event: trigger ? 'tls_reloaded' : 'tls_loaded', listener: this.config.name, trigger, subject: m.serverSubject, notAfter: m.serverNotAfter?.toISOString() },
      trigger ? 'TLS material reloaded; new connections use it' : 'TLS material loaded',
    );
  }
}
