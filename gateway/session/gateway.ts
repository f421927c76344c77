// The running gateway: listeners (a bootstrap port and one port per backend broker), the backend
// probe, the admin endpoint, and an orderly shutdown that lets in-flight requests finish.
import net from 'node:net';
import type { GatewayConfig, ListenerConfig } from '../config/schema.ts';
import { startAdminServer, type AdminServer } from '../observability/admin-http.ts';
import type { Logger } from '../observability/logger.ts';
import { backendReady, brokersKnown, connectionClosesTotal, connectionsActive, connectionsTotal } from '../observability/proxy-metrics.ts';
import { AdvertisedVersions } from '../routing/api-versions.ts';
import { BrokerMap, type Address } from '../routing/broker-map.ts';
import { TopicIdCache } from '../routing/topic-ids.ts';
import { probeBackend } from './backend-probe.ts';
import { Session } from './session.ts';

export type RunningGateway = {
  /** Ports actually bound, by listener name: the bootstrap port and each broker's. */
  ports: () => Map<string, { bootstrap: number; brokers: Map<number, number> }>;
  adminPort: number | null;
  ready: () => boolean;
  /** Stops accepting, lets in-flight requests finish for up to `drainMs`, then closes everything. */
  shutdown: (drainMs?: number) => Promise<void>;
};

type ListenerState = { config: ListenerConfig; brokers: BrokerMap; servers: Map<number | 'bootstrap', net.Server> };

export async function startGateway(config: GatewayConfig, logger: Logger): Promise<RunningGateway> {
  const topics = new TopicIdCache();
  const versions = new AdvertisedVersions();
  const sessions = new Set<Session>();
  const listeners: ListenerState[] = [];
  let ready = false;
  let stopping = false;
  let nextBootstrap = 0;

  const bootstrapTarget = (): Address => {
    const servers = config.backend.bootstrapServers;
    return servers[nextBootstrap++ % servers.length];
  };

  const accept = (state: ListenerState, socket: net.Socket, target: () => Address | undefined) => {
    const name = state.config.name;
    const address = target();
    if (stopping || !address) {
      logger.warn({ event: 'connection_refused', listener: name, peer: socket.remoteAddress, reason: stopping ? 'shutting down' : 'broker address unknown' }, 'connection refused');
      socket.destroy();
      return;
    }
    connectionsTotal.inc({ listener: name });
    connectionsActive.inc({ listener: name });
    const session = new Session(socket, address, name, {
      brokers: state.brokers,
      topics,
      versions,
      limits: config.limits,
      connectTimeoutMs: config.backend.connectTimeoutMs,
      logger,
      onClosed: (reason) => {
        connectionsActive.dec({ listener: name });
        connectionClosesTotal.inc({ listener: name, reason });
      },
    });
    sessions.add(session);
    void session.done.then(() => sessions.delete(session));
  };

  const listen = async (state: ListenerState, key: number | 'bootstrap', port: number, target: () => Address | undefined) => {
    const server = net.createServer({ noDelay: true }, (socket) => accept(state, socket, target));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, state.config.bind.host, () => resolve());
    });
    server.on('error', (err) => logger.error({ event: 'listener_error', listener: state.config.name, err: err.message }, 'listener error'));
    state.servers.set(key, server);
    const bound = (server.address() as net.AddressInfo).port;
    logger.info({ event: 'listener_bound', listener: state.config.name, role: key === 'bootstrap' ? 'bootstrap' : `broker ${key}`, address: `${state.config.bind.host}:${bound}` }, 'listener bound');
  };

  const openBrokerPort = (state: ListenerState, nodeId: number) => {
    const port = state.brokers.gatewayPort(nodeId);
    if (port === null) {
      logger.error({ event: 'broker_unroutable', listener: state.config.name, nodeId }, 'no gateway port for this broker; it is left out of responses');
      return;
    }
    brokersKnown.set(state.brokers.knownNodeIds().length);
    listen(state, nodeId, port, () => state.brokers.backendAddress(nodeId)).catch((err: Error) =>
      logger.error({ event: 'listener_error', listener: state.config.name, nodeId, port, err: err.message }, 'cannot open broker port'),
    );
  };

  for (const lc of config.listeners) {
    const state: ListenerState = {
      config: lc,
      brokers: new BrokerMap(lc.advertisedHost, lc.routing.basePort, lc.routing.brokerPorts),
      servers: new Map(),
    };
    state.brokers.onNewBroker((nodeId) => openBrokerPort(state, nodeId));
    listeners.push(state);
    await listen(state, 'bootstrap', lc.bind.port, bootstrapTarget);
  }

  // Probe until the backend answers; broker ports open as brokers become known.
  const probe = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      const target = bootstrapTarget();
      try {
        const result = await probeBackend(target, config.backend.connectTimeoutMs);
        versions.update(result.apiVersions);
        for (const state of listeners) for (const b of result.brokers) state.brokers.learn(b.nodeId, { host: b.host, port: b.port });
        ready = true;
        backendReady.set(1);
        logger.info({ event: 'backend_ready', brokers: result.brokers.map((b) => b.nodeId), apis: result.apiVersions.length }, 'backend ready');
        return;
      } catch (err) {
        logger.warn({ event: 'backend_probe_failed', attempt, target: `${target.host}:${target.port}`, err: (err as Error).message }, 'backend not reachable yet');
        await new Promise((r) => setTimeout(r, Math.min(5_000, 200 * attempt)));
      }
    }
  };
  const probing = probe();

  let admin: AdminServer | null = null;
  if (config.admin.bind) {
    admin = await startAdminServer(config.admin.bind, () => ready);
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
    ready: () => ready,
    shutdown: async (drainMs = config.limits.shutdownDrainMs) => {
      stopping = true;
      logger.info({ event: 'shutdown', sessions: sessions.size, drainMs }, 'stopping: no new connections, draining in-flight requests');
      const closing = listeners.flatMap((s) => [...s.servers.values()].map((srv) => new Promise((r) => srv.close(r))));
      for (const s of sessions) s.drain();
      const drained = Promise.all([...sessions].map((s) => s.done));
      const timedOut = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), drainMs).unref())]);
      if (timedOut) for (const s of sessions) s.close('shutdown', `drain timeout of ${drainMs} ms`);
      await Promise.all(closing);
      await probing;
      await admin?.close();
      logger.info({ event: 'stopped', drainTimedOut: timedOut }, 'stopped');
    },
  };
}
