// Property files for brokers, controllers, ZooKeeper and the JVM loggers of the test bed.

export type NodeAddress = { nodeId: number; port: number; controllerPort: number };
/**
 * A second listener on a broker (KRaft), advertised at `advertisedPort`: PLAINTEXT by default (a relay in
 * front of it), or SSL (its ssl.* settings come as server properties).
 */
export type ExtraListener = { name: string; port: number; advertisedPort: number; securityProtocol?: 'PLAINTEXT' | 'SSL' };
/** Server properties added after (and over) the test bed's own, e.g. an authorizer. */
export type ServerProperties = Record<string, string | number | boolean>;

function properties(entries: Record<string, string | number | boolean>): string {
  return Object.entries(entries)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
    .concat('\n');
}

/** Settings shared by every mode: small, fast, single-host, nothing durable. */
function common(node: NodeAddress, clusterSize: number, logDir: string, host: string, advertisedPort: number) {
  return {
    listeners: `PLAINTEXT://${host}:${node.port}`,
    'advertised.listeners': `PLAINTEXT://${host}:${advertisedPort}`,
    'log.dirs': logDir,
    'num.partitions': 1,
    'default.replication.factor': Math.min(clusterSize, 3),
    'offsets.topic.replication.factor': Math.min(clusterSize, 3),
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': Math.min(clusterSize, 3),
    'transaction.state.log.min.isr': Math.min(clusterSize, 2),
    'transaction.state.log.num.partitions': 10,
    'group.initial.rebalance.delay.ms': 0,
    'num.network.threads': 2,
    'num.io.threads': 2,
    'log.segment.bytes': 64 * 1024 * 1024,
    'auto.create.topics.enable': true,
    'delete.topic.enable': true,
  };
}

export function kraftNodeProperties(opts: {
  node: NodeAddress;
  all: NodeAddress[];
  logDir: string;
  host: string;
  advertisedPort: number;
  extra?: ExtraListener;
  serverProperties?: ServerProperties;
}): string {
  const { node, all, host, extra } = opts;
  const base = common(node, all.length, opts.logDir, host, opts.advertisedPort);
  return properties({
    ...base,
    // Combined broker+controller nodes: one JVM per node keeps the bed within its memory cap.
    'process.roles': 'broker,controller',
    'node.id': node.nodeId,
    listeners: `PLAINTEXT://${host}:${node.port},CONTROLLER://${host}:${node.controllerPort}${extra ? `,${extra.name}://${host}:${extra.port}` : ''}`,
    ...(extra && { 'advertised.listeners': `${base['advertised.listeners']},${extra.name}://${host}:${extra.advertisedPort}` }),
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': `PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${extra ? `,${extra.name}:${extra.securityProtocol ?? 'PLAINTEXT'}` : ''}`,
    'controller.quorum.voters': all.map((n) => `${n.nodeId}@${host}:${n.controllerPort}`).join(','),
    ...opts.serverProperties,
  });
}

export function zkBrokerProperties(opts: {
  node: NodeAddress;
  clusterSize: number;
  logDir: string;
  host: string;
  advertisedPort: number;
  zookeeperPort: number;
  serverProperties?: ServerProperties;
}): string {
  return properties({
    ...common(opts.node, opts.clusterSize, opts.logDir, opts.host, opts.advertisedPort),
    'broker.id': opts.node.nodeId,
    'zookeeper.connect': `${opts.host}:${opts.zookeeperPort}`,
    'zookeeper.connection.timeout.ms': 30_000,
    ...opts.serverProperties,
  });
}

export function zookeeperProperties(dataDir: string, host: string, port: number): string {
  return properties({
    dataDir,
    clientPort: port,
    clientPortAddress: host,
    maxClientCnxns: 0,
    'admin.enableServer': false,
    '4lw.commands.whitelist': '*',
  });
}

/** JVM logging config: everything at INFO into one file per process, for post-mortems. */
export function loggingConfig(kind: 'log4j1' | 'log4j2', logFile: string): string {
  if (kind === 'log4j2') {
    return [
      'status = error',
      'appender.file.type = File',
      'appender.file.name = FILE',
      `appender.file.fileName = ${logFile}`,
      'appender.file.layout.type = PatternLayout',
      'appender.file.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.file.ref = FILE',
      '',
    ].join('\n');
  }
  return [
    'log4j.rootLogger=INFO, F',
    'log4j.appender.F=org.apache.log4j.FileAppender',
    `log4j.appender.F.File=${logFile}`,
    'log4j.appender.F.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.F.layout.ConversionPattern=[%d] %p %m (%c)%n',
    '',
  ].join('\n');
}

export function loggingJvmFlag(kind: 'log4j1' | 'log4j2', configFile: string): string {
  return kind === 'log4j2' ? `-Dlog4j2.configurationFile=${configFile}` : `-Dlog4j.configuration=file:${configFile}`;
}
