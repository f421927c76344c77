// Admission of a client connection on one listener, before any Kafka byte is read:
//   accept → listener connection limit → PROXY header (only from trusted load balancers)
//   → per-address limits (creation rate, count) and IP allow/deny, on the real client address
//   → TLS handshake (client certificate checked here, not by Node, so the refusal can say why)
//   → principal (certificate DN rules or SAN, IP identity, or User:ANONYMOUS) → session.
// Every refusal is a log line with peer, listener and reason (rate-limited per reason), and a metric;
// the socket is destroyed. State of a connection in admission belongs to its socket alone, and an
// exception in any step refuses that one connection.
import type net from 'node:net';
import tls from 'node:tls';
import type { ClientIdentity, IdentityMethod, TlsSessionInfo } from '../auth/client-identity.ts';
import { checkCrls, revokedCertificates } from '../auth/crl.ts';
import { issuerDn, subjectDn } from '../auth/dn.ts';
import { IpAccessList, IpIdentityMap } from '../auth/ip-rules.ts';
import { ProxyProtocolDecoder, V2_SIGNATURE } from '../auth/proxy-protocol.ts';
import { SanPrincipalMapper } from '../auth/san-principal.ts';
import { SslPrincipalMapper } from '../auth/ssl-principal-mapper.ts';
import { principalFromCertificate, type TlsIdentityOptions } from '../auth/tls-identity.ts';
import { CidrList, normalizeAddress, parseCidr } from '../common/address.ts';
import { KafkaPrincipal } from '../common/principal.ts';

/** The ACL wildcard principal: no client may be it. */
const WILDCARD_PRINCIPAL = KafkaPrincipal.user('*');
import type { ListenerConfig } from '../config/schema.ts';
import { ConnectionLimits } from '../net/connection-limits.ts';
import { classifyTlsHandshakeFailure } from '../net/tls-failure.ts';
import { serverTlsOptions, TlsMaterialWatcher, type ReloadResult } from '../net/tls-material.ts';
import type { Logger } from '../observability/logger.ts';
import { RateLimitedLog, type RateLimitedLogOptions } from '../observability/rate-limited-log.ts';
import { CrlExpiryReporter } from './crl-expiry.ts';
import type { ProxyMetrics } from '../observability/proxy-metrics.ts';

export type RefusalReason =
  | 'ip-denied'
  | 'ip-identity-unmapped'
  | 'proxy-untrusted'
  | 'proxy-malformed'
  | 'proxy-timeout'
  | 'proxy-unknown-source'
  | 'max-connections'
  | 'max-connections-per-ip'
  | 'connection-rate'
  | 'tls-handshake-failed'
  | 'tls-handshake-timeout'
  | 'client-certificate-missing'
  | 'client-certificate-invalid'
  | 'principal-mapping-failed'
  | 'unknown-server-name'
  | 'broker-unknown'
  | 'principal-wildcard'
  | 'shutting-down'
  | 'internal-error';

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

/** Runs `fn` once the socket has closed (at once if it already has). */
function whenClosed(socket: net.Socket, fn: () => void): void {
  if (socket.closed) fn();
  else socket.once('close', fn);
}

/**
 * The accepted socket a TLS socket of the shared tls.Server wraps: tls.Server makes one TLSSocket per
 * emitted 'connection' and Node keeps the wrapped socket as `_parent`. Undefined if Node stops doing so
 * (the connection is then refused, never admitted with another connection's state).
 */
function acceptedSocketOf(socket: tls.TLSSocket): net.Socket | undefined {
  return (socket as unknown as { _parent?: net.Socket })._parent ?? undefined;
}

/** Test hooks: how refusal lines are rate-limited. */
/** One reload of a listener's TLS material, for the audit log. */
export type TlsReloadEvent = {
  listener: string;
  trigger: string;
  ok: boolean;
  /** The server certificate in force after the reload. */
  subject?: string;
  notAfter?: string;
  /** Why new material was refused (the previous material stays in force). */
  file?: string;
  error?: string;
};

/** The series admission counts into (one gateway's). */
export type AdmissionMetrics = Pick<
  ProxyMetrics,
  | 'clientsAuthenticatedTotal'
  | 'connectionsRefusedTotal'
  | 'listenerConnections'
  | 'tlsCertificateExpiry'
  | 'tlsLastReloadSuccess'
  | 'tlsHandshakeFailuresTotal'
  | 'tlsReloadsTotal'
  | 'tlsCrlNextUpdate'
>;

export type AdmissionOptions = {
  metrics: AdmissionMetrics;
  refusalLog?: Pick<RateLimitedLogOptions, 'linesPerSecond' | 'reportIntervalMs'>;
  onTlsReload?: (event: TlsReloadEvent) => void;
};

export class ListenerAdmission {
  private readonly access: IpAccessList;
  private readonly ipIdentities: IpIdentityMap | null;
  private readonly proxyTrusted: CidrList | null;
  private readonly tlsServer: tls.Server | null = null;
  private readonly tlsIdentity: TlsIdentityOptions | null = null;
  /** TLS material in force, reloaded on file change and SIGHUP (null on a plaintext listener). */
  readonly material: TlsMaterialWatcher | null = null;
  private revocationListener: ((revoked: Set<string>) => void) | null = null;
  private readonly onTlsReload: ((event: TlsReloadEvent) => void) | null;
  private crlExpiry: CrlExpiryReporter | null = null;
  /**
   * Real client address and route of each connection in its TLS handshake, by its accepted socket: never
   * by address:port, which the kernel reuses across the listener's ports.
   */
  private readonly handshaking = new WeakMap<net.Socket, Pending>();
  private readonly limits: ConnectionLimits;
  private readonly refusals: RateLimitedLog;
  private readonly metrics: AdmissionMetrics;

  /** Throws TlsMaterialError or InvalidSslMappingRulesError when the listener's TLS settings cannot be used. */
  constructor(
    private readonly config: ListenerConfig,
    private readonly logger: Logger,
    options: AdmissionOptions,
  ) {
    this.metrics = options.metrics;
    this.onTlsReload = options.onTlsReload ?? null;
    this.refusals = new RateLimitedLog(logger, { event: 'connection_refused', keyFields: ['listener', 'reason'], ...options.refusalLog });
    this.limits = ListenerAdmission.limitsFor(config);
    this.access = new IpAccessList({ allow: config.network.allow, deny: config.network.deny });
    this.ipIdentities = config.network.identities
      ? new IpIdentityMap({ map: config.network.identities, unmapped: config.network.unmappedIdentity })
      : null;
    this.proxyTrusted = config.proxyProtocol ? new CidrList(config.proxyProtocol.trustedSources) : null;
    const tlsConfig = config.tls;
    if (!tlsConfig) return;
    this.tlsIdentity = {
      dnMapper: SslPrincipalMapper.fromRules(tlsConfig.principalMappingRules),
      san:
        tlsConfig.principalFromSan.length > 0
          ? new SanPrincipalMapper(tlsConfig.principalFromSan.map((r) => ({ type: r.type, pattern: r.pattern ?? undefined })))
          : undefined,
      sanFallbackToDn: tlsConfig.sanFallbackToDn,
    };
    this.material = new TlsMaterialWatcher({ ...tlsConfig, checkCrls }, (result, trigger) => this.onReload(result, trigger));
    this.reportMaterial();
    this.tlsServer = tls.createServer(serverTlsOptions(this.material.current, tlsConfig));
    this.tlsServer.on('secureConnection', (socket: tls.TLSSocket) => this.guarded(socket, socketPeer(socket), () => this.onSecure(socket)));
    this.tlsServer.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) =>
      this.guarded(socket, socketPeer(socket), () => {
        const pending = this.takeHandshaking(socket);
        const timedOut = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT';
        const reason = classifyTlsHandshakeFailure(err);
        this.metrics.tlsHandshakeFailuresTotal.inc({ listener: this.config.name, reason });
        this.refuse(
          socket,
          pending?.peer ?? socketPeer(socket),
          timedOut ? 'tls-handshake-timeout' : 'tls-handshake-failed',
          `${reason}: ${err.code ?? ''} ${err.message}`,
        );
      }),
    );
    this.material.watch();
  }

  /** A connection the listener has just accepted. */
  admit(raw: net.Socket, then: OnAdmitted): void {
    raw.on('error', () => {}); // a reset before the session owns the socket is just a closed connection
    if (raw.remoteAddress === undefined) {
      // Reset before we got to it (a balancer's connect-only health check): no peer to judge or refuse.
      this.logger.debug({ event: 'connection_gone', listener: this.config.name }, 'connection closed by the peer before admission');
      raw.destroy();
      return;
    }
    const peer = socketPeer(raw);
    this.guarded(raw, peer, () => {
      const slot = this.limits.acquireListenerSlot();
      if (!slot.ok) return this.refuse(raw, peer, slot.reason, slot.detail);
      const listener = this.config.name;
      this.metrics.listenerConnections.inc({ listener });
      // Whatever ends the connection (refusal, TLS failure, session end), its accepted socket closes once.
      whenClosed(raw, () => {
        slot.release();
        this.metrics.listenerConnections.dec({ listener });
      });
      const proxy = this.config.proxyProtocol;
      if (proxy && this.proxyTrusted) {
        if (this.proxyTrusted.contains(peer.address)) return this.readProxyHeader(raw, peer, proxy.headerTimeoutMs, then);
        if (!proxy.allowDirect) return this.refuse(raw, peer, 'proxy-untrusted', 'source is not a trusted PROXY protocol sender');
        return this.rejectProxyHeaderFromUntrusted(raw, peer, proxy.headerTimeoutMs, then);
      }
      this.fromClient(raw, peer, then);
    });
  }

  /** Reloads the TLS material now (SIGHUP). */
  reloadTls(trigger: string): void {
    this.material?.reload(trigger);
  }

  close(): void {
    this.material?.close();
    this.refusals.close();
  }

  /** Hears the revoked certificates (revocation keys) each time new CRLs come into force. */
  onRevocations(listener: (revoked: Set<string>) => void): void {
    this.revocationListener = listener;
  }

  /** Counted every time; logged at most a few times a second per reason, the rest as a suppressed count. */
  refuse(socket: net.Socket, peer: Peer, reason: RefusalReason, detail: string): void {
    try {
      this.metrics.connectionsRefusedTotal.inc({ listener: this.config.name, reason });
      this.refusals.warn({ listener: this.config.name, peer: `${peer.address}:${peer.port}`, reason, detail }, 'connection refused');
    } finally {
      socket.destroy();
    }
  }

  private static limitsFor(config: ListenerConfig): ConnectionLimits {
    const c = config.connectionLimits;
    // Longest prefix first, so the most specific override decides.
    const overrides = c.maxConnectionsPerIpOverrides
      .map((o) => ({ cidr: parseCidr(o.cidr), max: o.max }))
      .sort((a, b) => b.cidr.prefix - a.cidr.prefix)
      .map((o) => ({ list: new CidrList([o.cidr]), max: o.max }));
    return new ConnectionLimits({
      maxConnections: c.maxConnections,
      maxConnectionsPerIp: c.maxConnectionsPerIp,
      perIpOverride: overrides.length === 0 ? undefined : (address) => overrides.find((o) => o.list.contains(address))?.max,
      creationRatePerIp: c.maxConnectionCreationRatePerIp,
    });
  }

  /** Runs one admission step; an exception refuses this connection instead of reaching the process. */
  private guarded(socket: net.Socket, peer: Peer, step: () => void): void {
    try {
      step();
    } catch (err) {
      this.refuse(socket, peer, 'internal-error', `admission failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The header must be complete within `timeoutMs` of accept, however slowly its bytes trickle in. */
  private readProxyHeader(raw: net.Socket, socketPeer: Peer, timeoutMs: number, then: OnAdmitted): void {
    const decoder = new ProxyProtocolDecoder();
    const timer = setTimeout(() => {
      raw.removeListener('data', onData);
      this.refuse(raw, socketPeer, 'proxy-timeout', `no complete PROXY header within ${timeoutMs} ms`);
    }, timeoutMs);
    whenClosed(raw, () => clearTimeout(timer));
    const onData = (chunk: Buffer) =>
      this.guarded(raw, socketPeer, () => {
        const result = decoder.push(chunk);
        if (result.kind === 'need-more') return;
        clearTimeout(timer);
        raw.removeListener('data', onData);
        raw.pause(); // what follows the header waits in the socket until the next stage reads it
        if (result.kind === 'error') return this.refuse(raw, socketPeer, 'proxy-malformed', result.reason);
        const rest = decoder.rest();
        if (rest.length > 0) raw.unshift(rest);
        const { header } = result;
        // LOCAL (a balancer's health check) and UNKNOWN name no client: the balancer's own address must
        // not stand in for one (it would pass allow lists and map to an IP identity).
        if (header.command !== 'proxy' || !header.source) {
          const what = header.version === 2 ? `v2 ${header.command.toUpperCase()}` : 'v1 UNKNOWN';
          return this.refuse(
            raw,
            socketPeer,
            'proxy-unknown-source',
            `PROXY ${what} header names no client; such connections are not admitted`,
          );
        }
        const real = header.source;
        this.fromClient(raw, { address: normalizeAddress(real.address)?.address ?? real.address, port: real.port }, then);
      });
    raw.on('data', onData);
  }

  /** A direct client must send its first bytes within `timeoutMs` too: only they show it sends no header. */
  private rejectProxyHeaderFromUntrusted(raw: net.Socket, peer: Peer, timeoutMs: number, then: OnAdmitted): void {
    const timer = setTimeout(() => this.refuse(raw, peer, 'proxy-timeout', `no bytes within ${timeoutMs} ms`), timeoutMs);
    whenClosed(raw, () => clearTimeout(timer));
    raw.once('data', (chunk: Buffer) =>
      this.guarded(raw, peer, () => {
        clearTimeout(timer);
        raw.pause();
        if (looksLikeProxyHeader(chunk))
          return this.refuse(raw, peer, 'proxy-untrusted', 'PROXY header from a source that is not trusted to send one');
        raw.unshift(chunk);
        this.fromClient(raw, peer, then);
      }),
    );
  }

  /** The real client address is known: its limits, then the network rules. */
  private fromClient(raw: net.Socket, peer: Peer, then: OnAdmitted): void {
    const slot = this.limits.acquireAddressSlot(peer.address);
    if (!slot.ok) return this.refuse(raw, peer, slot.reason, slot.detail);
    whenClosed(raw, slot.release);
    this.checkAddress(raw, peer, then);
  }

  private checkAddress(raw: net.Socket, peer: Peer, then: OnAdmitted): void {
    const decision = this.access.check(peer.address);
    if (!decision.allowed) return this.refuse(raw, peer, 'ip-denied', decision.rule);
    if (!this.tlsServer) {
      const ip = this.ipIdentity(peer);
      if (!ip) return this.refuse(raw, peer, 'ip-identity-unmapped', 'no IP identity covers this source');
      this.admitted(raw, peer, ip.principal, ip.method, null, then);
      // Admission may have paused the socket to read a PROXY header; a 'data' listener alone does not
      // restart a paused socket, so the session would never hear the client.
      if (raw.isPaused()) raw.resume();
      return;
    }
    this.handshaking.set(raw, { peer, then });
    this.tlsServer.emit('connection', raw);
  }

  private takeHandshaking(socket: tls.TLSSocket): Pending | undefined {
    const raw = acceptedSocketOf(socket);
    if (!raw) return undefined;
    const pending = this.handshaking.get(raw);
    this.handshaking.delete(raw);
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
    if (!pending) return this.refuse(socket, socketPeer(socket), 'internal-error', 'no admission state for this TLS socket');
    const { peer, then } = pending;
    const clientAuth = this.config.tls!.clientAuth;
    const cert = socket.getPeerX509Certificate();
    let subject: string | null;
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
    if (clientAuth === 'required' && !cert) {
      this.metrics.tlsHandshakeFailuresTotal.inc({ listener: this.config.name, reason: 'client-certificate-missing' });
      return this.refuse(socket, peer, 'client-certificate-missing', 'clientAuth is required and the client sent no certificate');
    }
    if (cert && !socket.authorized) {
      this.metrics.tlsHandshakeFailuresTotal.inc({ listener: this.config.name, reason: 'client-certificate-invalid' });
      return this.refuse(
        socket,
        peer,
        'client-certificate-invalid',
        `${String(socket.authorizationError)} (subject ${subject ?? '?'}, serial ${cert.serialNumber})`,
      );
    }
    if (clientAuth === 'none') {
      const ip = this.ipIdentity(peer);
      if (!ip) return this.refuse(socket, peer, 'ip-identity-unmapped', 'no IP identity covers this source');
      return this.admitted(socket, peer, ip.principal, ip.method, info, then);
    }
    let identity: ReturnType<typeof principalFromCertificate>;
    try {
      identity = principalFromCertificate(cert ?? undefined, this.tlsIdentity!);
    } catch (err) {
      return this.refuse(
        socket,
        peer,
        'principal-mapping-failed',
        `the certificate could not be mapped: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (!identity.ok) return this.refuse(socket, peer, 'principal-mapping-failed', identity.reason);
    const method: IdentityMethod =
      identity.source === 'anonymous' ? 'anonymous' : identity.source === 'san' ? 'certificate-san' : 'certificate-dn';
    this.admitted(socket, peer, identity.principal, method, info, then);
  }

  private admitted(
    socket: net.Socket,
    peer: Peer,
    principal: KafkaPrincipal,
    method: IdentityMethod,
    tlsInfo: TlsSessionInfo | null,
    then: OnAdmitted,
  ): void {
    if (principal.type === WILDCARD_PRINCIPAL.type && principal.name === WILDCARD_PRINCIPAL.name) {
      // `User:*` in an ACL means every principal; a client that is literally called that would match
      // rules meant for nobody in particular. Kafka never authorizes such a client: it gets no session.
      return this.refuse(socket, peer, 'principal-wildcard', `principal ${principal.toString()} (via ${method}) is the ACL wildcard`);
    }
    // On a SASL listener the principal is not known yet: the session counts it when SASL establishes it.
    if (this.config.sasl === null) this.metrics.clientsAuthenticatedTotal.inc({ listener: this.config.name, method });
    then(socket, { address: peer.address, port: peer.port, principal, method, tls: tlsInfo });
  }

  private onReload(result: ReloadResult, trigger: string): void {
    const listener = this.config.name;
    this.metrics.tlsReloadsTotal.inc({ listener, result: result.ok ? 'success' : 'failure' });
    this.metrics.tlsLastReloadSuccess.set({ listener }, result.ok ? 1 : 0);
    if (!result.ok) {
      this.logger.error(
        { event: 'tls_reload_failed', listener, trigger, file: result.error.file, err: result.error.message },
        'new TLS material refused; the previous material stays in force',
      );
      this.onTlsReload?.({ listener, trigger, ok: false, file: result.error.file, error: result.error.message });
      return;
    }
    this.tlsServer?.setSecureContext(serverTlsOptions(result.material, this.config.tls!));
    this.reportMaterial(trigger);
    const m = result.material;
    this.onTlsReload?.({ listener, trigger, ok: true, subject: m.serverSubject ?? undefined, notAfter: m.serverNotAfter?.toISOString() });
    const crls = result.material.options.crl as Buffer[] | undefined;
    if (crls && this.revocationListener) {
      try {
        this.revocationListener(revokedCertificates(crls.map((c) => c.toString('latin1')).join('\n')));
      } catch (err) {
        this.logger.warn(
          { event: 'crl_unreadable', listener, err: (err as Error).message },
          'cannot list revoked certificates; open connections are not re-checked',
        );
      }
    }
  }

  private reportMaterial(trigger?: string): void {
    const m = this.material!.current;
    if (m.serverNotAfter)
      this.metrics.tlsCertificateExpiry.set({ listener: this.config.name }, Math.floor(m.serverNotAfter.getTime() / 1000));
    this.metrics.tlsLastReloadSuccess.set({ listener: this.config.name }, 1);
    this.logger.info(
      {
        event: trigger ? 'tls_reloaded' : 'tls_loaded',
        listener: this.config.name,
        trigger,
        subject: m.serverSubject,
        notAfter: m.serverNotAfter?.toISOString(),
        crls: m.crls.map((c) => ({ file: c.file, issuer: c.issuer, nextUpdate: c.nextUpdate?.toISOString() ?? null })),
      },
      trigger ? 'TLS material reloaded; new connections use it' : 'TLS material loaded',
    );
    this.crlExpiry ??= new CrlExpiryReporter(
      this.config.name,
      this.logger,
      this.metrics.tlsCrlNextUpdate,
      this.config.tls!.crlExpiryWarningMs,
    );
    this.material!.monitor((material) => this.crlExpiry!.check(material));
  }
}
