// Metrics of the data path: connections and why they closed, requests by API, bytes moved.
// Labels are bounded: listener names come from the config, APIs from Kafka's fixed key set.
import { Counter, Gauge, type Registry } from 'prom-client';

/** The data path's series on one gateway's registry. */
export function createProxyMetrics(registry: Registry) {
  return {
    connectionsActive: new Gauge({
      name: 'gatehouse_connections_active',
      help: 'Client connections currently open, by listener.',
      labelNames: ['listener'] as const,
      registers: [registry],
    }),

    connectionsTotal: new Counter({
      name: 'gatehouse_connections_total',
      help: 'Client connections accepted, by listener.',
      labelNames: ['listener'] as const,
      registers: [registry],
    }),

    connectionClosesTotal: new Counter({
      name: 'gatehouse_connection_closes_total',
      help: 'Client connections closed, by listener and reason (malformed-frame, frame-too-large, unsupported-api… are refusals).',
      labelNames: ['listener', 'reason'] as const,
      registers: [registry],
    }),

    backendReady: new Gauge({
      name: 'gatehouse_backend_ready',
      help: "1 while the backend answers the gateway's health checks (ApiVersions and Metadata); 0 before the first answer and after backend.unreadyAfterFailedChecks failed checks in a row.",
      // With workers, the scrape shows the worst of them.
      aggregator: 'min',
      registers: [registry],
    }),

    brokersKnown: new Gauge({
      name: 'gatehouse_backend_brokers',
      help: 'Backend brokers the gateway routes to (learned from Metadata).',
      // With workers, the most any of them knows (each learns brokers from its own Metadata answers).
      aggregator: 'max',
      registers: [registry],
    }),

    connectionsRefusedTotal: new Counter({
      name: 'gatehouse_connections_refused_total',
      help: 'Client connections refused before a session started, by listener and reason (ip-denied, proxy-untrusted, tls-handshake-failed, client-certificate-invalid…).',
      labelNames: ['listener', 'reason'] as const,
      registers: [registry],
    }),

    tlsHandshakeFailuresTotal: new Counter({
      name: 'gatehouse_tls_handshake_failures_total',
      help: "TLS connections that did not become sessions, by listener and reason: not-tls (a plaintext client on a TLS port), protocol-version, no-shared-cipher, client-rejected-certificate (the client does not trust the gateway's certificate), client-alert, timeout, connection-reset, client-certificate-missing, client-certificate-invalid (untrusted, expired or revoked), other.",
      labelNames: ['listener', 'reason'] as const,
      registers: [registry],
    }),

    tlsReloadsTotal: new Counter({
      name: 'gatehouse_tls_reloads_total',
      help: 'TLS material reload attempts by listener and result (a failure keeps the material in force).',
      labelNames: ['listener', 'result'] as const,
      registers: [registry],
    }),

    tlsLastReloadSuccess: new Gauge({
      name: 'gatehouse_tls_last_reload_success',
      help: '1 if the last TLS material reload of the listener succeeded, 0 if its files are broken and the previous material is in force.',
      labelNames: ['listener'] as const,
      // With workers, the scrape shows the worst of them.
      aggregator: 'min',
      registers: [registry],
    }),

    tlsCertificateExpiry: new Gauge({
      name: 'gatehouse_tls_certificate_expiry_timestamp_seconds',
      help: 'Expiry (notAfter, Unix seconds) of the server certificate in force on the listener; alert well before it.',
      labelNames: ['listener'] as const,
      // With workers, the scrape shows the worst of them.
      aggregator: 'min',
      registers: [registry],
    }),

    clientsAuthenticatedTotal: new Counter({
      name: 'gatehouse_client_identities_total',
      help: 'Client connections admitted, by listener and how the principal was established (anonymous, ip, certificate-dn, certificate-san; sasl once the client authenticates on a SASL listener).',
      labelNames: ['listener', 'method'] as const,
      registers: [registry],
    }),

    listenerConnections: new Gauge({
      name: 'gatehouse_listener_connections',
      help: 'Connections a listener holds from accept to close (in admission or in a session), as counted against its maxConnections.',
      labelNames: ['listener'] as const,
      registers: [registry],
    }),

    logLinesDroppedTotal: new Counter({
      name: 'gatehouse_log_lines_dropped_total',
      help: 'Log lines dropped because the log destination did not keep up and its buffer was full.',
      registers: [registry],
    }),

    routesRefusedTotal: new Counter({
      name: 'gatehouse_routes_refused_total',
      help: 'Broker routes learned from backend responses and refused (empty or odd host, port outside 1-65535, negative node id), by listener; the previous route stays.',
      labelNames: ['listener'] as const,
      registers: [registry],
    }),

    uncaughtErrorsTotal: new Counter({
      name: 'gatehouse_uncaught_errors_total',
      help: 'Errors that reached the process level instead of closing one connection (a bug), by kind (exception, rejection).',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),

    tlsCrlNextUpdate: new Gauge({
      name: 'gatehouse_tls_crl_next_update_timestamp_seconds',
      help: "nextUpdate (Unix seconds) of the CRL in force for each client CA (issuer: the CA subject from the config) on the listener; once it passes, OpenSSL refuses that CA's clients (CRL has expired), so alert well before it.",
      labelNames: ['listener', 'issuer'] as const,
      // With workers, the scrape shows the worst of them.
      aggregator: 'min',
      registers: [registry],
    }),

    topicIdLookupsTotal: new Counter({
      name: 'gatehouse_topic_id_lookups_total',
      help: 'Metadata look-ups the gateway made on the backend for topic ids a request named and it had not seen, by result (success, failure: the ids were treated as unknown).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),

    authenticationsTotal: new Counter({
      name: 'gatehouse_authentications_total',
      help: 'SASL authentications (first ones and re-authentications), by listener, mechanism (none: the client broke off before choosing an enabled one) and outcome (success, failure).',
      labelNames: ['listener', 'mechanism', 'outcome'] as const,
      registers: [registry],
    }),

    reauthenticationsTotal: new Counter({
      name: 'gatehouse_reauthentications_total',
      help: 'SASL re-authentications (KIP-368) on authenticated connections, by listener, mechanism and outcome (success, failure).',
      labelNames: ['listener', 'mechanism', 'outcome'] as const,
      registers: [registry],
    }),

    upstreamErrorsTotal: new Counter({
      name: 'gatehouse_upstream_errors_total',
      help: 'Connections to backend brokers that failed or that the backend ended (not the gateway), by broker address and reason: connect-refused, connect-timeout, connect-failed, reset, closed (the broker closed it), bad-frame, bad-response (an answer the gateway cannot read or did not ask for), error.',
      labelNames: ['broker', 'reason'] as const,
      registers: [registry],
    }),

    expiredSessionsClosedTotal: new Counter({
      name: 'gatehouse_expired_sessions_closed_total',
      help: "Connections closed because a request arrived after the SASL session expired without re-authentication (Kafka's expired-connections-killed-count), by listener.",
      labelNames: ['listener'] as const,
      registers: [registry],
    }),
  };
}

export type ProxyMetrics = ReturnType<typeof createProxyMetrics>;
