// A one-broker bed for tests of the gateway as a process: a real broker with some topics, and the
// gateway in front of it with one plaintext listener whose clients (all on 127.0.0.1) are User:alice
// by IP identity, enforcing a policy file the test can rewrite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startGatewayProcess, type GatewayProcess } from './gateway.ts';
import type { KafkaLine } from './kafka-dist.ts';
import { startKafka, type KafkaCluster } from './kafka.ts';
import { freePorts } from './ports.ts';

export type PolicyBed = {
  cluster: KafkaCluster;
  gw: GatewayProcess;
  /** The gateway's bootstrap port (listener `plain`). */
  port: number;
  bootstrap: string;
  /** The policy file the gateway enforces (it reloads when the file changes). */
  policyFile: string;
  stop: () => Promise<void>;
};

export async function startPolicyBed(opts: {
  kafka: KafkaLine;
  topics: string[];
  policy: string;
  /** More top-level gateway configuration (merged over the bed's; `authorization` is the bed's). */
  extraConfig?: Record<string, unknown>;
  /** More `backend` settings (health checks, timeouts); the bootstrap server is the bed's broker. */
  backend?: Record<string, unknown>;
  /** More `authorization` settings (observe…); the policies are the bed's file. */
  authorization?: Record<string, unknown>;
}): Promise<PolicyBed> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bed-'));
  const policyFile = path.join(dir, 'policy.yaml');
  fs.writeFileSync(policyFile, opts.policy);
  const cluster = await startKafka({ version: opts.kafka, brokers: 1 });
  const admin = new Kafka({ clientId: 'setup', brokers: [cluster.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: opts.topics.map((topic) => ({ topic })), waitForLeaders: true });
  await admin.disconnect();
  const [port, brokerPort] = await freePorts(2);
  const bootstrap = `127.0.0.1:${port}`;
  const gw = await startGatewayProcess({
    backendBootstrap: cluster.bootstrap,
    maxBrokers: 1,
    extraConfig: {
      ...opts.extraConfig,
      backend: { bootstrapServers: [cluster.bootstrap], ...opts.backend },
      authorization: { ...opts.authorization, policies: [policyFile] },
    },
    listeners: [
      {
        name: 'plain',
        bind: bootstrap,
        plaintext: true,
        network: { identities: { '127.0.0.1/32': 'User:alice' } },
        routing: { brokerPorts: { 1: brokerPort } },
      },
    ],
  }).catch(async (err: unknown) => {
    await cluster.stop();
    throw err;
  });
  return {
    cluster,
    gw,
    port,
    bootstrap,
    policyFile,
    stop: async () => {
      await gw.stop();
      await cluster.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
