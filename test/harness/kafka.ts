import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { resolveKafka, type KafkaDist, type KafkaLine } from './kafka-dist.ts';
import {
  kraftNodeProperties,
  loggingConfig,
  loggingJvmFlag,
  zkBrokerProperties,
  zookeeperProperties,
  type ExtraListener,
  type NodeAddress,
  type ServerProperties,
} from './kafka-config.ts';
import { TEST_JVM_OPTIONS } from './jvm.ts';
import { freePorts, waitForPort } from './ports.ts';
import { startServerProcess, tail, type ServerProcess } from './processes.ts';

export type KafkaBroker = {
  nodeId: number;
  host: string;
  port: number;
  /** Whether the process is up (as far as the harness knows). */
  running: () => boolean;
  /** Crash the broker (SIGKILL), for failover tests. */
  kill: () => Promise<void>;
  /** Stop gracefully. */
  stop: () => Promise<void>;
  /** Start it again on the same ports and data. */
  restart: () => Promise<void>;
  logFile: string;
};

export type KafkaCluster = {
  line: KafkaLine;
  version: string;
  mode: 'kraft' | 'zookeeper';
  /** "host:port,host:port" */
  bootstrap: string;
  brokers: KafkaBroker[];
  dataDir: string;
  stop: () => Promise<void>;
};

export type StartKafkaOptions = {
  version: KafkaLine;
  brokers?: number;
  /** The port each broker advertises; default its own port. A capture relay in front changes it. */
  advertisedPort?: (node: { nodeId: number; port: number }) => number;
  /** A second listener per broker (KRaft only), e.g. for a relay that must not serve direct clients. */
  extraListener?: (node: { nodeId: number; port: number }) => ExtraListener;
  /** Server properties over the test bed's own (an authorizer, SSL settings of an extra listener…). */
  serverProperties?: ServerProperties;
  jvmOptions?: string[];
  readyTimeoutMs?: number;
};

const HOST = '127.0.0.1';

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding, as Kafka's own tool makes — and, like
 * Kafka's Uuid.randomUuid, never one that starts with '-' (kafka-storage would read `-t -xyz` as an option).
 */
function clusterId(): string {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function writeLogging(dist: KafkaDist, dir: string, name: string): { flag: string; logFile: string } {
  const logFile = path.join(dir, `${name}.log`);
  const configFile = path.join(dir, `${name}-logging.properties`);
  fs.writeFileSync(configFile, loggingConfig(dist.logging, logFile));
  return { flag: loggingJvmFlag(dist.logging, configFile), logFile };
}

function javaArgs(dist: KafkaDist, jvm: string[], mainClass: string, args: string[]): string[] {
  return [...jvm, '-cp', dist.classpath, mainClass, ...args];
}

function mainClass(dist: KafkaDist, tool: 'broker' | 'storage' | 'zookeeper'): string {
  const cls = dist.mainClasses[tool];
  if (!cls) throw new Error(`Kafka ${dist.version} has no ${tool} main class on its classpath`);
  return cls;
}

/** Waits until a Metadata round-trip lists every broker: real readiness, not a sleep. */
async function waitForMetadata(bootstrap: string, expectedBrokers: number, timeoutMs: number, logs: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: 'gatehouse-harness',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length >= expectedBrokers && cluster.controller !== null && cluster.controller >= 0) return;
      lastError = `metadata lists ${cluster.brokers.length}/${expectedBrokers} brokers, controller ${cluster.controller}`;
    } catch (err) {
      lastError = (err as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Kafka not ready after ${timeoutMs} ms: ${lastError}\n${logs.map((l) => `--- ${l}\n${tail(l)}`).join('\n')}`);
}

export async function startKafka(opts: StartKafkaOptions): Promise<KafkaCluster> {
  const dist = resolveKafka(opts.version);
  const size = opts.brokers ?? 1;
  const jvm = opts.jvmOptions ?? TEST_JVM_OPTIONS;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gatehouse-kafka-${dist.version}-`));
  const ports = await freePorts(size * 2 + 1, HOST);
  const nodes: NodeAddress[] = Array.from({ length: size }, (_, i) => ({
    nodeId: i + 1,
    port: ports[i * 2],
    controllerPort: ports[i * 2 + 1],
  }));
  const processes = new Map<number, ServerProcess>();
  let zookeeper: ServerProcess | undefined;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;

  const stopAll = async () => {
    await Promise.all([...processes.values()].map((p) => p.stop(2_000)));
    if (zookeeper) await zookeeper.stop(2_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    if (dist.mode === 'zookeeper') {
      const zkPort = ports[size * 2];
      const zkDir = path.join(dataDir, 'zookeeper');
      fs.mkdirSync(zkDir);
      const zkConfig = path.join(zkDir, 'zookeeper.properties');
      fs.writeFileSync(zkConfig, zookeeperProperties(path.join(zkDir, 'data'), HOST, zkPort));
      const logging = writeLogging(dist, zkDir, 'zookeeper');
      zookeeper = startServerProcess({
        name: 'zookeeper',
        command: 'java',
        args: javaArgs(dist, [...jvm, logging.flag], mainClass(dist, 'zookeeper'), [zkConfig]),
        logFile: path.join(zkDir, 'stdout.log'),
      });
      await waitForPort(zkPort, HOST, 30_000);
    }

    const configs = new Map<number, { config: string; logFile: string; flag: string }>();
    const id = clusterId();
    for (const node of nodes) {
      const dir = path.join(dataDir, `node-${node.nodeId}`);
      fs.mkdirSync(dir);
      const advertisedPort = opts.advertisedPort ? opts.advertisedPort(node) : node.port;
      const logDir = path.join(dir, 'data');
      const config = path.join(dir, 'server.properties');
      fs.writeFileSync(
        config,
        dist.mode === 'kraft'
          ? kraftNodeProperties({
              node,
              all: nodes,
              logDir,
              host: HOST,
              advertisedPort,
              extra: opts.extraListener?.(node),
              serverProperties: opts.serverProperties,
            })
          : zkBrokerProperties({
              node,
              clusterSize: size,
              logDir,
              host: HOST,
              advertisedPort,
              zookeeperPort: ports[size * 2],
              serverProperties: opts.serverProperties,
            }),
      );
      const logging = writeLogging(dist, dir, 'server');
      if (dist.mode === 'kraft') {
        execFileSync('java', javaArgs(dist, [...jvm, logging.flag], mainClass(dist, 'storage'), ['format', '-t', id, '-c', config]), {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      }
      configs.set(node.nodeId, { config, logFile: logging.logFile, flag: logging.flag });
    }

    const launch = (nodeId: number) => {
      const c = configs.get(nodeId)!;
      const proc = startServerProcess({
        name: `kafka-${dist.version}-${nodeId}`,
        command: 'java',
        args: javaArgs(dist, [...jvm, c.flag], mainClass(dist, 'broker'), [c.config]),
        logFile: path.join(path.dirname(c.config), 'stdout.log'),
      });
      processes.set(nodeId, proc);
      return proc;
    };
    for (const node of nodes) launch(node.nodeId);

    const bootstrap = nodes.map((n) => `${HOST}:${n.port}`).join(',');
    const logsOf = () => [...configs.values()].flatMap((c) => [c.logFile, path.join(path.dirname(c.config), 'stdout.log')]);
    await waitForMetadata(bootstrap, size, readyTimeoutMs, logsOf());

    const brokers: KafkaBroker[] = nodes.map((node) => ({
      nodeId: node.nodeId,
      host: HOST,
      port: node.port,
      logFile: configs.get(node.nodeId)!.logFile,
      running: () => {
        const p = processes.get(node.nodeId);
        return p !== undefined && processes.has(node.nodeId);
      },
      kill: async () => {
        await processes.get(node.nodeId)?.kill();
        processes.delete(node.nodeId);
      },
      stop: async () => {
        await processes.get(node.nodeId)?.stop();
        processes.delete(node.nodeId);
      },
      restart: async () => {
        await processes.get(node.nodeId)?.stop();
        launch(node.nodeId);
        await waitForPort(node.port, HOST, readyTimeoutMs);
      },
    }));

    return { line: opts.version, version: dist.version, mode: dist.mode, bootstrap, brokers, dataDir, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
