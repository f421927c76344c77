// The running gateway: listeners (a bootstrap port and one port per backend broker, or one SNI-routed
// TLS port), admission of each connection (network rules, PROXY protocol, TLS, identity), the backend
// probe, the admin endpoint, authorization (policy store, enforcers, decisions' metrics and audit log),
// and an orderly shutdown that lets in-flight requests finish.
import net from 'node:net';
import type { ClientIdentity } from '../auth/client-identity.ts';
import { revocationKey } from '../auth/crl.ts';
import type { ListedBinding } from '../authz/acls/acl-binding.ts';
import { FileAclStore } from '../authz/acls/file-store.ts';
import type { ManagedAclStore } from '../authz/acls/managed-store.ts';
import { PolicyAclService, type AclChangeAuditEvent } from '../authz/acls/policy-acl-service.ts';
import { policyBindings } from '../authz/acls/policy-bindings.ts';
import type { CompileOptions } from '../authz/compiled-policy.ts';
import { defaultRegistry, type EnforcerRegistry } from '../authz/enforce/registry.ts';
import type { DecisionSink } from '../authz/enforce/request-authorizer.ts';
import { formatPolicyError, loadPolicy } from '../authz/policy-loader.ts';
import { PolicyStore, type ReloadEvent } from '../authz/policy-store.ts';
import type { Policy } from '../authz/policy.ts';
import type { ManagedAclsConfig } from '../config/authorization.ts';
import type { GatewayConfig, ListenerConfig } from '../config/schema.ts';
import { readAdminSecurity, startAdminServer, type AdminServer } from '../observability/admin-http.ts';
import { createAuditLog, type AuditLog } from '../observability/audit.ts';
import type { Logger } from '../observability/logger.ts';
import { GatewayMetrics } from '../observability/gateway-metrics.ts';
import { ObservationStore } from './observation-store.ts';
import { ObservationFormatError } from '../authz/observe/observation.ts';
import { AdvertisedVersions } from '../routing/api-versions.ts';
import { BrokerMap, type Address } from '../routing/broker-map.ts';
import { TopicIdCache } from '../routing/topic-ids.ts';
import { apiName, versionRange } from '../protocol/index.ts';
import { KafkaAclStore } from './acl-topic-store.ts';
import { ListenerAdmission, type RefusalReason } from './admission.ts';
import { BackendHealthMonitor } from './backend-health.ts';
import { probeAny, probeBackend, type ProbeResult } from './backend-probe.ts';
import type { EnforcementServices } from './enforcement.ts';
import { buildSaslMechanisms, listenerMechanisms, SaslMechanismError, type SaslMechanisms } from './sasl-mechanisms.ts';
import { type AuthenticationEvent, Session, type SessionMetrics, type SessionSasl } from './session.ts';
import { TopicIdResolver } from './topic-id-resolver.ts';

export type RunningGateway = {
  /** Ports actually bound, by listener name: the bootstrap port and each broker's. */
  ports: () => Map<string, { bootstrap: number; brokers: Map<number, number> }>;
  adminPort: number | null;
  ready: () => boolean;
  /** What keeps the gateway from serving (empty: ready), as /readyz lists it. */
  unmetReadiness: () => string[];
  /** What /status shows: version, listeners, policy, backend. */
  status: () => GatewayStatus;
  /** Reloads TLS material of every listener and the policy now (SIGHUP); files are also watched. */
  reload: (trigger: string) => void;
  /** The policy store (null with authorization off). */
  policies: PolicyStore | null;
  /** Where ACLs created with CreateAcls live (null with authorization off or `managedAcls.store: none`). */
  managedAcls: ManagedAclStore | null;
  /** This gateway's metrics (what /metrics serves). */
  metrics: GatewayMetrics;
  /** Stops accepting, lets in-flight requests finish for up to `drainMs`, then closes everything. */
  shutdown: (drainMs?: number) => Promise<void>;
};

type ListenerState = {
  config: ListenerConfig;
  /** What sessions on this listener authenticate with (null: no SASL). */
  sasl: SessionSasl | null;
  brokers: BrokerMap;
  admission: ListenerAdmission;
  servers: Map<number | 'bootstrap', net.Server>;
};
/** Where an admitted connection goes: a backend broker, or a refusal. */
type Route = (identity: ClientIdentity) => Address | { refuse: RefusalReason; detail: string };

function brokerMapFor(lc: ListenerConfig): BrokerMap {
  const r = lc.routing;
  return r.mode === 'sni'
    ? new BrokerMap({ mode: 'sni', brokerNamePattern: r.brokerNamePattern, port: r.advertisedPort })
    : new BrokerMap({ mode: 'port-per-broker', host: lc.advertisedHost, basePort: r.basePort, brokerPorts: r.brokerPorts });
}

/** Test hooks: the enforcers to use instead of the gateway's own. */
export type GatewayStatus = {
  version: string | null;
  pid: number;
  ready: boolean;
  unmetReadiness: string[];
  backend: { reachable: boolean; bootstrapServers: string[] };
  listeners: Array<{ name: string; tls: boolean; sasl: string[] | null; ports: Record<string, number | null>; brokersKnown: number[] }>;
  policy: { version: number; digest?: string; loadedAt?: string; files: readonly string[]; lastError: unknown } | null;
  sessions: number;
};

export type GatewayOptions = {
  registry?: EnforcerRegistry;
  /** The package version /status reports (the command line knows it; null when embedded without one). */
  version?: string;
  /** Where the gateway counts (default: a metrics object of its own, without the process's series). */
  metrics?: GatewayMetrics;
};

/** The versions both the codec and an enforcer cover: with authorization on, nothing else is advertised. */
export function enforceableRange(registry: EnforcerRegistry) {
  return (apiKey: number): { min: number; max: number } | undefined => {
    const codec = versionRange(apiKey);
    const enforced = registry.range(apiKey);
    if (!codec || !enforced) return undefined;
    const min = Math.max(codec.min, enforced.min);
    const max = Math.min(codec.max, enforced.max);
    return min <= max ? { min, max } : undefined;
  };
}

type Authorization = {
  enforcement: EnforcementServices;
  store: PolicyStore;
  managed: ManagedAclStore | null;
  audit: AuditLog;
  registry: EnforcerRegistry;
  /** Observe mode's store (authorization.observe), else null. */
  observations: ObservationStore | null;
};

/** The gateway cannot start for a reason outside its configuration file (e.g. the managed ACL topic cannot be read). */
export class GatewayStartError extends Error {}

/** The managed ACL store the config names (null: `store: none`, CreateAcls/DeleteAcls are refused). */
function managedAclStore(managed: ManagedAclsConfig, config: GatewayConfig, logger: Logger): ManagedAclStore | null {
  const log = logger.child({ component: 'managed-acls' });
  switch (managed.store) {
    case 'none':
      return null;
    case 'file':
      return new FileAclStore({ path: managed.path, logger: log });
    case 'kafka':
      return new KafkaAclStore({
        bootstrap: config.backend.bootstrapServers,
        topic: managed.topic,
        logger: log,
        connectTimeoutMs: config.backend.connectTimeoutMs,
      });
  }
}

/** What no client may touch through the gateway: the managed ACL topic (see CompileOptions). */
function compileOptions(managed: ManagedAclsConfig): CompileOptions {
  return managed.store === 'kafka' ? { reservedTopics: [managed.topic], superUsersMayReadReserved: managed.superUsersMayReadTopic } : {};
}

/** The YAML policy's bindings for DescribeAcls/DeleteAcls, expanded once per policy loaded. */
function yamlBindingsOf(store: PolicyStore): () => readonly ListedBinding[] {
  let expandedFrom: Policy | undefined;
  let expanded: readonly ListedBinding[] = [];
  return () => {
    const policy = store.yamlPolicy();
    if (policy !== expandedFrom) {
      expanded = policy ? policyBindings(policy) : [];
      expandedFrom = policy;
    }
    return expanded;
  };
}

/** An ACL change in the audit log: always written (never sampled as allows are), with who, what and the outcome. */
/** A policy swapped in (at start, by a file change, SIGHUP or managed ACLs) or refused, as an audit record. */
function policyReloadRecord(event: ReloadEvent) {
  const { version, digest, lastError } = event.status;
  return {
    time: new Date().toISOString(),
    decision: event.ok ? 'policy_loaded' : 'policy_reload_failed',
    trigger: event.trigger,
    version,
    digest,
    ...(!event.ok && lastError && { error: `${lastError.file}:${lastError.line}:${lastError.column}: ${lastError.message}` }),
  };
}

function aclChangeRecord(event: AclChangeAuditEvent) {
  return {
    ...event,
    decision: event.outcome === 'applied' ? 'acl_changed' : 'acl_change_failed',
    api: event.action === 'create' ? 'CreateAcls' : 'DeleteAcls',
  };
}

/**
 * Loads the policy (a policy that does not load refuses the start, at its file:line:column) and builds
 * what sessions authorize with. Null with `mode: off`: the backend has no authorizer, so forwarding
 * every advertised request is exactly what a broker without an authorizer does.
 */
async function startAuthorization(
  config: GatewayConfig,
  logger: Logger,
  topics: TopicIdCache,
  versionsFor: (registry: EnforcerRegistry) => AdvertisedVersions,
  options: GatewayOptions,
  metrics: GatewayMetrics,
): Promise<(Authorization & { versions: AdvertisedVersions }) | null> {
  const authz = config.authorization;
  if (authz.mode === 'off') {
    logger.warn({ event: 'authorization_off' }, 'authorization is off: every request is forwarded unauthorized');
    return null;
  }
  // Both places: the config key that names the policy, and the policy file's own line and column.
  const policyError = (e: { file: string; line: number; column: number; message: string }) =>
    config.errorAt(['authorization', 'policies'], `policy does not load: ${formatPolicyError(e)}`);
  // A policy that does not load refuses the start before the managed ACL store touches the backend.
  const precheck = await loadPolicy(authz.policies);
  if (!precheck.ok) throw policyError(precheck.errors[0]);
  const observations = await openObservations(config, logger);
  const managed = managedAclStore(authz.managedAcls, config, logger);
  try {
    // Before the first policy compiles: managed DENY rules must be in force from the first request on.
    await managed?.start();
  } catch (err) {
    await managed?.close().catch(() => undefined);
    const reason = (err as Error).message;
    if (managed?.kind === 'file')
      throw config.errorAt(['authorization', 'managedAcls', 'path'], `the managed ACL file does not load: ${reason}`);
    throw new GatewayStartError(`the managed ACLs (authorization.managedAcls.store: ${managed?.kind}) cannot be read: ${reason}`);
  }
  const audit = createAuditLog({ destination: authz.audit.destination, allowSampling: authz.audit.allows });
  let policyFailing = false;
  const store = new PolicyStore({
    path: authz.policies,
    logger: logger.child({ component: 'policy' }),
    onReload: (e) => {
      metrics.authz.recordPolicyReload(e.ok, e.status.version);
      // Audited: every policy swapped in, every refusal, and the reload that ends a run of refusals.
      if (!e.ok || e.changed || policyFailing) audit.record(policyReloadRecord(e));
      policyFailing = !e.ok;
    },
    managed: managed ?? undefined,
    compile: compileOptions(authz.managedAcls),
  });
  const first = await store.reload('start');
  if (!first.ok) {
    await managed?.close().catch(() => undefined);
    throw policyError(first.status.errors[0]);
  }
  await store.watch({ sighup: false }); // the gateway's own SIGHUP handler reloads it with the TLS material
  const registry = options.registry ?? defaultRegistry();
  const versions = versionsFor(registry);
  const acls = new PolicyAclService({
    yamlBindings: yamlBindingsOf(store),
    store: managed,
    audit: (event) => void audit.record(aclChangeRecord(event)),
  });
  metrics.authz.setMaxPrincipalLabels(authz.maxPrincipalLabels);
  const recorder = observations?.recorder;
  const decisions: DecisionSink = {
    counter: (labels) => metrics.authz.decisionCounter(labels),
    auditsAllows: authz.audit.allows !== 'none',
    audit: (event) => void audit.record({ ...event }),
    ...(recorder !== undefined && { observe: recorder.slot.bind(recorder) }),
  };
  if (recorder !== undefined) metrics.authz.observeObservations(() => ({ entries: recorder.size, dropped: recorder.dropped }));
  observations?.start();
  const resolver = new TopicIdResolver({
    topics,
    versions,
    logger,
    onLookup: (result) => metrics.proxy.topicIdLookupsTotal.inc({ result }),
    timeoutMs: config.backend.connectTimeoutMs,
    maxResponseBytes: config.limits.maxResponseFrameBytes,
  });
  logger.info(
    {
      event: 'authorization_on',
      policies: authz.policies,
      policyVersion: store.status().version,
      apis: registry.apiKeys().length,
      managedAcls: authz.managedAcls.store,
      managedRules: store.status().managed?.rules ?? 0,
    },
    'authorization on',
  );
  return {
    store,
    managed,
    audit,
    registry,
    versions,
    observations,
    enforcement: { registry, policy: () => store.current(), decisions, resolveTopicIds: (backend) => resolver.resolve(backend), acls },
  };
}

/** Observe mode's store, read back from its file; a file that is not an observations file refuses the start. */
async function openObservations(config: GatewayConfig, logger: Logger): Promise<ObservationStore | null> {
  const authz = config.authorization;
  if (authz.mode === 'off' || authz.observe === null) return null;
  try {
    return await ObservationStore.open({ ...authz.observe, logger: logger.child({ component: 'observe' }) });
  } catch (error) {
    const reason = error instanceof ObservationFormatError ? error.message : `cannot read: ${(error as Error).message}`;
    throw config.errorAt(['authorization', 'observe', 'file'], `the observations file does not load: ${reason}`);
  }
}

/** An authentication in the audit log: always written, with who, how and the outcome, never a secret. */
function authenticationRecord(event: AuthenticationEvent) {
  return {
    time: new Date().toISOString(),
    decision: event.outcome === 'success' ? 'authenticated' : 'authentication_failed',
    principal: event.principal,
    mechanism: event.mechanism,
    listener: event.listener,
    clientAddress: event.clientAddress,
    reauthentication: event.reauthentication,
    ...(event.sessionLifetimeMs !== null && { sessionLifetimeMs: event.sessionLifetimeMs }),
    ...(event.reason !== null && { reason: event.reason }),
  };
}

/** What sessions count into: the gateway's traffic, topic and upstream-error series and its SASL identities. */
export function sessionMetricsOf(metrics: GatewayMetrics): SessionMetrics {
  const traffic = metrics.traffic;
  const identities = metrics.proxy.clientsAuthenticatedTotal;
  return {
    countRequest: (apiKey, apiVersion) => traffic.countRequest(apiKey, apiVersion),
    requestDuration: traffic.requestDuration,
    upstreamDuration: traffic.upstreamDuration,
    saslIdentity: (listener) => identities.inc({ listener, method: 'sasl' }),
    produced: (topic, records, bytes) => metrics.topics.produced(topic, records, bytes),
    fetched: (topic, records, bytes) => metrics.topics.fetched(topic, records, bytes),
    upstreamError: (broker, reason) => metrics.proxy.upstreamErrorsTotal.inc({ broker, reason }),
  };
}

/** The SASL mechanisms the listeners enable (null: no listener has SASL). A mechanism that cannot be built refuses the start. */
async function startAuthentication(config: GatewayConfig, logger: Logger): Promise<SaslMechanisms | null> {
  if (!config.listeners.some((l) => l.sasl !== null)) return null;
  try {
    return await buildSaslMechanisms(config.authentication, config.listeners, logger.child({ component: 'sasl' }));
  } catch (err) {
    if (err instanceof SaslMechanismError) throw config.errorAt(['authentication', err.section], err.message);
    throw err;
  }
}

export async function startGateway(config: GatewayConfig, logger: Logger, options: GatewayOptions = {}): Promise<RunningGateway> {
  const metrics = options.metrics ?? new GatewayMetrics();
  metrics.nameApis((apiKey) => apiName(apiKey) ?? String(apiKey));
  metrics.topics.setMaxTopicLabels(config.admin.maxTopicLabels);
  const counters = metrics.proxy;
  const sessionMetrics = sessionMetricsOf(metrics);
  const topics = new TopicIdCache(config.limits.maxCachedTopicIds);
  const authentication = await startAuthentication(config, logger);
  let authorization: Awaited<ReturnType<typeof startAuthorization>>;
  try {
    authorization = await startAuthorization(config, logger, topics, (r) => new AdvertisedVersions(enforceableRange(r)), options, metrics);
  } catch (err) {
    authentication?.close();
    throw err;
  }
  // Authentications are audited where authorization decisions go (stdout with authorization off).
  const authenticationAudit = authentication ? (authorization?.audit ?? createAuditLog({ destination: 'stdout' })) : null;
  const saslFor = (lc: ListenerConfig): SessionSasl | null => {
    if (!lc.sasl || !authentication || !authenticationAudit) return null;
    const name = lc.name;
    return {
      mechanisms: listenerMechanisms(authentication.byName, lc.sasl.mechanisms),
      sessionLifetimeMs: lc.sasl.sessionLifetimeMs ?? config.authentication.sessionLifetimeMs,
      failedAuthenticationDelayMs: config.authentication.failedAuthenticationDelayMs,
      maxUnauthenticatedFrameBytes: config.limits.maxUnauthenticatedFrameBytes,
      onAuthentication: (event) => {
        const labels = { listener: name, mechanism: event.mechanism ?? 'none', outcome: event.outcome };
        counters.authenticationsTotal.inc(labels);
        if (event.reauthentication) counters.reauthenticationsTotal.inc(labels);
        authenticationAudit.record(authenticationRecord(event));
      },
      onExpiredClose: () => counters.expiredSessionsClosedTotal.inc({ listener: name }),
    };
  };
  const versions = authorization?.versions ?? new AdvertisedVersions();
  const sessions = new Set<Session>();
  const listeners: ListenerState[] = [];
  let ready = false;
  let stopping = false;
  let nextBootstrap = 0;

  const bootstrapTarget = (): Address => {
    const servers = config.backend.bootstrapServers;
    return servers[nextBootstrap++ % servers.length];
  };
  const brokerTarget = (state: ListenerState, nodeId: number): Address | { refuse: RefusalReason; detail: string } =>
    state.brokers.backendAddress(nodeId) ?? { refuse: 'broker-unknown', detail: `backend broker ${nodeId} is not known` };

  const startSession = (state: ListenerState, socket: net.Socket, identity: ClientIdentity, route: Route) => {
    const name = state.config.name;
    const target = stopping ? { refuse: 'shutting-down' as const, detail: 'gateway shutting down' } : route(identity);
    if ('refuse' in target) return state.admission.refuse(socket, identity, target.refuse, target.detail);
    counters.connectionsTotal.inc({ listener: name });
    counters.connectionsActive.inc({ listener: name });
    const session = new Session(socket, target, name, identity, {
      metrics: sessionMetrics,
      brokers: state.brokers,
      topics,
      versions,
      limits: config.limits,
      connectTimeoutMs: config.backend.connectTimeoutMs,
      logger,
      enforcement: authorization?.enforcement ?? null,
      sasl: state.sasl,
      onClosed: (reason) => {
        counters.connectionsActive.dec({ listener: name });
        counters.connectionClosesTotal.inc({ listener: name, reason });
      },
    });
    sessions.add(session);
    const untrack = metrics.traffic.trackConnection(name, () => session.traffic());
    void session.done.then(() => {
      sessions.delete(session);
      untrack();
    });
  };

  const listen = async (state: ListenerState, key: number | 'bootstrap', port: number, route: Route) => {
    const server = net.createServer({ noDelay: true }, (raw) => {
      if (stopping)
        return state.admission.refuse(
          raw,
          { address: raw.remoteAddress ?? '', port: raw.remotePort ?? 0 },
          'shutting-down',
          'gateway shutting down',
        );
      state.admission.admit(raw, (socket, identity) => startSession(state, socket, identity, route));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, state.config.bind.host, () => resolve());
    });
    server.on('error', (err) => logger.error({ event: 'listener_error', listener: state.config.name, err: err.message }, 'listener error'));
    state.servers.set(key, server);
    const bound = (server.address() as net.AddressInfo).port;
    const role = key === 'bootstrap' ? (state.config.routing.mode === 'sni' ? 'sni' : 'bootstrap') : `broker ${key}`;
    logger.info(
      {
        event: 'listener_bound',
        listener: state.config.name,
        role,
        address: `${state.config.bind.host}:${bound}`,
        tls: state.config.tls !== null,
        clientAuth: state.config.tls?.clientAuth,
      },
      'listener bound',
    );
  };

  const openBrokerPort = (state: ListenerState, nodeId: number) => {
    counters.brokersKnown.set(state.brokers.knownNodeIds().length);
    if (state.config.routing.mode === 'sni') return; // one port serves every broker
    const port = state.brokers.gatewayPort(nodeId);
    if (port === null) {
      logger.error(
        { event: 'broker_unroutable', listener: state.config.name, nodeId },
        'no gateway port for this broker; it is left out of responses',
      );
      return;
    }
    listen(state, nodeId, port, () => brokerTarget(state, nodeId)).catch((err: Error) =>
      logger.error({ event: 'listener_error', listener: state.config.name, nodeId, port, err: err.message }, 'cannot open broker port'),
    );
  };

  /** SNI routing: the bootstrap name goes to the bootstrap servers, broker-{id} names to that broker. */
  const sniRoute =
    (state: ListenerState, bootstrapName: string): Route =>
    (identity) => {
      const name = identity.tls?.serverName ?? null;
      if (name === bootstrapName) return bootstrapTarget();
      const nodeId = name === null ? null : state.brokers.nodeIdForServerName(name);
      if (nodeId === null)
        return {
          refuse: 'unknown-server-name',
          detail: name === null ? 'the client sent no TLS server name (SNI)' : `server name '${name}' names no broker`,
        };
      return brokerTarget(state, nodeId);
    };

  // Every listener's TLS material is loaded before any port opens, so a bad file stops the start cleanly.
  for (const lc of config.listeners) {
    let admission: ListenerAdmission;
    try {
      admission = new ListenerAdmission(lc, logger, {
        metrics: counters,
        // Certificate reloads go where decisions (or, without authorization, authentications) are audited.
        onTlsReload: (event) =>
          void (authorization?.audit ?? authenticationAudit)?.record({
            time: new Date().toISOString(),
            decision: event.ok ? 'certificate_reloaded' : 'certificate_reload_failed',
            ...event,
          }),
      });
    } catch (err) {
      for (const s of listeners) s.admission.close();
      authorization?.store.close();
      await authorization?.managed?.close().catch(() => undefined);
      authentication?.close();
      // A certificate that will not load or mapping rules that do not parse: point at the listener's tls section.
      throw config.errorAt(['listeners', lc.index, 'tls'], `listener '${lc.name}': ${(err as Error).message}`);
    }
    listeners.push({ config: lc, sasl: saslFor(lc), brokers: brokerMapFor(lc), admission, servers: new Map() });
    // A CRL naming a certificate also ends the connections already open with it.
    admission.onRevocations((revoked) => {
      for (const s of sessions) {
        const tls = s.identity.tls;
        if (s.listener !== lc.name || !tls?.serial || !tls.issuer || !revoked.has(revocationKey(tls.issuer, tls.serial))) continue;
        s.close('certificate-revoked', `client certificate ${tls.serial} (${tls.subject}) was revoked`);
      }
    });
  }
  for (const state of listeners) {
    state.brokers.onNewBroker((nodeId) => openBrokerPort(state, nodeId));
    state.brokers.onRouteRefused(({ nodeId, address, reason }) => {
      counters.routesRefusedTotal.inc({ listener: state.config.name });
      logger.warn(
        { event: 'route_refused', listener: state.config.name, nodeId, host: address.host, port: address.port, reason },
        'backend advertised a broker route that cannot be used; the previous route stays',
      );
    });
    const routing = state.config.routing;
    const route = routing.mode === 'sni' ? sniRoute(state, routing.bootstrapName) : () => bootstrapTarget();
    await listen(state, 'bootstrap', state.config.bind.port, route);
  }

  // What a probe or health check learned: API versions and features (the ApiVersions answers the gateway
  // makes itself repeat them, so a feature finalized later, e.g. transaction.version, reaches clients
  // within one check), the probed broker's own answer, and the brokers.
  const learnProbe = (result: ProbeResult) => {
    versions.update(result.apiVersions, result.features);
    versions.learn(result.target, result.apiVersions, result.features);
    for (const state of listeners) for (const b of result.brokers) state.brokers.learn(b.nodeId, { host: b.host, port: b.port });
  };

  // Probe until the backend answers; broker ports open as brokers become known.
  const probe = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      const target = bootstrapTarget();
      try {
        const result = await probeBackend(target, config.backend.connectTimeoutMs);
        learnProbe(result);
        ready = true;
        counters.backendReady.set(1);
        logger.info(
          { event: 'backend_ready', brokers: result.brokers.map((b) => b.nodeId), apis: result.apiVersions.length },
          'backend ready',
        );
        return;
      } catch (err) {
        logger.warn(
          { event: 'backend_probe_failed', attempt, target: `${target.host}:${target.port}`, err: (err as Error).message },
          'backend not reachable yet',
        );
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * attempt)));
      }
    }
  };
  // Then keep checking: a backend that stops answering makes the gateway unready until it answers again.
  const health = new BackendHealthMonitor({
    intervalMs: config.backend.healthCheckIntervalMs,
    unreadyAfterFailedChecks: config.backend.unreadyAfterFailedChecks,
    check: () => probeAny(config.backend.bootstrapServers, config.backend.connectTimeoutMs),
    onReachable: (result) => {
      learnProbe(result);
      if (ready) return;
      ready = true;
      counters.backendReady.set(1);
      logger.info({ event: 'backend_ready', brokers: result.brokers.map((b) => b.nodeId), recovered: true }, 'backend answers again');
    },
    onUnreachable: (err, failedChecks) => {
      if (!ready) return;
      ready = false;
      counters.backendReady.set(0);
      logger.error(
        { event: 'backend_unreachable', failedChecks, err: err.message },
        'no bootstrap server answers: the gateway reports itself unready',
      );
    },
  });
  const probing = probe().then(() => {
    if (!stopping) health.start();
  });

  const unmetReadiness = (): string[] => {
    const unmet: string[] = [];
    if (!ready) unmet.push('backend: no bootstrap server answers ApiVersions and Metadata');
    if (authorization && !authorization.store.current()) unmet.push('policy: none loaded');
    return unmet;
  };
  const status = (unmet = unmetReadiness()): GatewayStatus => ({
    version: options.version ?? null,
    pid: process.pid,
    ready: unmet.length === 0,
    unmetReadiness: unmet,
    backend: { reachable: ready, bootstrapServers: config.backend.bootstrapServers.map((a) => `${a.host}:${a.port}`) },
    listeners: listeners.map((s) => ({
      name: s.config.name,
      tls: s.config.tls !== null,
      sasl: s.config.sasl?.mechanisms ?? null,
      ports: Object.fromEntries([...s.servers].map(([key, srv]) => [key, (srv.address() as net.AddressInfo | null)?.port ?? null])),
      brokersKnown: s.brokers.knownNodeIds(),
    })),
    policy: authorization
      ? (({ version, digest, loadedAt, files, lastError }) => ({ version, digest, loadedAt, files, lastError: lastError ?? null }))(
          authorization.store.status(),
        )
      : null,
    sessions: sessions.size,
  });

  let admin: AdminServer | null = null;
  if (config.admin.bind) {
    admin = await startAdminServer(
      config.admin.bind,
      { unmetReadiness, status, metrics: () => metrics.text() },
      readAdminSecurity(config.admin),
    );
    logger.info({ event: 'listener_bound', listener: 'admin', address: `${config.admin.bind.host}:${admin.port}` }, 'admin endpoint bound');
  }

  return {
    ports: () =>
      new Map(
        listeners.map((s) => {
          const bound = (key: number | 'bootstrap') => (s.servers.get(key)?.address() as net.AddressInfo | null)?.port ?? 0;
          const brokers = new Map([...s.servers.keys()].filter((k): k is number => k !== 'bootstrap').map((k) => [k, bound(k)]));
          return [s.config.name, { bootstrap: bound('bootstrap'), brokers }];
        }),
      ),
    adminPort: admin?.port ?? null,
    metrics,
    ready: () => ready,
    unmetReadiness,
    status,
    reload: (trigger) => {
      for (const s of listeners) s.admission.reloadTls(trigger);
      void authorization?.store.reload(trigger);
    },
    policies: authorization?.store ?? null,
    managedAcls: authorization?.managed ?? null,
    shutdown: async (drainMs = config.limits.shutdownDrainMs) => {
      stopping = true;
      logger.info({ event: 'shutdown', sessions: sessions.size, drainMs }, 'stopping: no new connections, draining in-flight requests');
      const closing = listeners.flatMap((s) => [...s.servers.values()].map((srv) => new Promise((r) => srv.close(r))));
      for (const s of listeners) s.admission.close();
      for (const s of sessions) s.drain();
      const drained = Promise.all([...sessions].map((s) => s.done));
      const timedOut = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), drainMs).unref()),
      ]);
      if (timedOut) for (const s of sessions) s.close('shutdown', `drain timeout of ${drainMs} ms`);
      await Promise.all(closing);
      await probing;
      await health.stop();
      await admin?.close();
      await authorization?.observations?.close();
      authorization?.store.close();
      await authorization?.managed?.close().catch(() => undefined);
      authentication?.close();
      await authorization?.audit.flush().catch(() => undefined);
      if (authenticationAudit !== authorization?.audit) await authenticationAudit?.flush().catch(() => undefined);
      logger.info({ event: 'stopped', drainTimedOut: timedOut }, 'stopped');
    },
  };
}
