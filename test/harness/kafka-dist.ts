import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from './paths.ts';

/**
 * The Kafka lines the test bed runs. Pinned, so runs are reproducible; bump deliberately.
 * - '4': newest 4.x whose artifacts are complete on Maven Central (4.4.0's core pom is published
 *   but its kafka-tools and kafka-tools-api jars are not).
 * - '3.9': newest 3.9.x, the last line that still speaks the versions KIP-896 removed.
 * - 'legacy': a 2.x cluster in ZooKeeper mode.
 */
export const KAFKA_LINES = {
  '4': { version: '4.3.1', mode: 'kraft', logging: 'log4j2' },
  '3.9': { version: '3.9.2', mode: 'kraft', logging: 'log4j1' },
  legacy: { version: '2.8.2', mode: 'zookeeper', logging: 'log4j1' },
} as const;

export type KafkaLine = keyof typeof KAFKA_LINES;
export const ALL_KAFKA_LINES = Object.keys(KAFKA_LINES) as KafkaLine[];

/** Logical tool names → candidate main classes (the classes moved between Kafka releases). */
const TOOL_CLASSES = {
  'console-producer': ['org.apache.kafka.tools.ConsoleProducer', 'kafka.tools.ConsoleProducer'],
  'console-consumer': ['org.apache.kafka.tools.consumer.ConsoleConsumer', 'kafka.tools.ConsoleConsumer'],
  topics: ['org.apache.kafka.tools.TopicCommand', 'kafka.admin.TopicCommand'],
  'consumer-groups': ['org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', 'kafka.admin.ConsumerGroupCommand'],
  acls: ['org.apache.kafka.tools.AclCommand', 'kafka.admin.AclCommand'],
  configs: ['org.apache.kafka.tools.ConfigCommand', 'kafka.admin.ConfigCommand'],
  'producer-perf-test': ['org.apache.kafka.tools.ProducerPerformance'],
  'consumer-perf-test': ['org.apache.kafka.tools.ConsumerPerformance', 'kafka.tools.ConsumerPerformance'],
  'metadata-quorum': ['org.apache.kafka.tools.MetadataQuorumCommand'],
  storage: ['kafka.tools.StorageTool'],
  broker: ['kafka.Kafka'],
  zookeeper: ['org.apache.zookeeper.server.quorum.QuorumPeerMain'],
} as const;

export type KafkaToolName = keyof typeof TOOL_CLASSES;

export type KafkaDist = {
  line: KafkaLine;
  version: string;
  mode: 'kraft' | 'zookeeper';
  logging: 'log4j1' | 'log4j2';
  classpath: string;
  mainClasses: Partial<Record<KafkaToolName, string>>;
  /** The TOOL_CLASSES keys mainClasses was searched for (a cached resolution is searched again when they change). */
  toolsSearched?: string;
};

function pomFor(version: string, logging: 'log4j1' | 'log4j2'): string {
  const deps: Array<[string, string, string]> = [
    ['org.apache.kafka', 'kafka_2.13', version],
    ['org.apache.kafka', 'kafka-tools', version],
  ];
  // Kafka 4 ships log4j2 without the slf4j binding in its pom; add it so broker logs are written.
  if (logging === 'log4j2') deps.push(['org.apache.logging.log4j', 'log4j-slf4j-impl', '2.25.4']);
  const xml = deps
    .map(([g, a, v]) => `    <dependency><groupId>${g}</groupId><artifactId>${a}</artifactId><version>${v}</version></dependency>`)
    .join('\n');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>gatehouse.testbed</groupId>
  <artifactId>kafka-${version}</artifactId>
  <version>1</version>
  <dependencies>
${xml}
  </dependencies>
</project>
`;
}

function listClasses(jar: string): Set<string> {
  const out = execFileSync('unzip', ['-Z1', jar], { maxBuffer: 64 * 1024 * 1024 }).toString();
  return new Set(
    out
      .split('\n')
      .filter((e) => e.endsWith('.class'))
      .map((e) => e.slice(0, -'.class'.length).replaceAll('/', '.')),
  );
}

function findMainClasses(classpath: string): Partial<Record<KafkaToolName, string>> {
  const jars = classpath.split(':').filter((j) => /\/(kafka|zookeeper)[^/]*\.jar$/.test(j));
  const classes = new Set<string>();
  for (const jar of jars) for (const c of listClasses(jar)) classes.add(c);
  const found: Partial<Record<KafkaToolName, string>> = {};
  for (const [tool, candidates] of Object.entries(TOOL_CLASSES) as Array<[KafkaToolName, readonly string[]]>) {
    const hit = candidates.find((c) => classes.has(c));
    if (hit) found[tool] = hit;
  }
  return found;
}

/** Where a line's resolution lives; `dist.json` there means it is complete. */
function distDir(version: string): string {
  return path.join(CACHE_DIR, 'kafka', version);
}

/**
 * Resolves a Kafka line's jars with Maven into the git-ignored cache (reused between runs) and
 * returns its classpath and tool main classes. Network only on the first call for a version.
 */
export function resolveKafka(line: KafkaLine): KafkaDist {
  const { version, mode, logging } = KAFKA_LINES[line];
  const dir = distDir(version);
  const marker = path.join(dir, 'dist.json');
  if (fs.existsSync(marker)) {
    const dist = JSON.parse(fs.readFileSync(marker, 'utf8')) as KafkaDist;
    if (dist.classpath.split(':').every((j) => fs.existsSync(j))) {
      // A tool added to TOOL_CLASSES since this resolution was cached: look its class up once.
      const tools = Object.keys(TOOL_CLASSES).join(',');
      if (dist.toolsSearched !== tools) {
        dist.mainClasses = findMainClasses(dist.classpath);
        dist.toolsSearched = tools;
        fs.writeFileSync(`${marker}.${process.pid}`, JSON.stringify(dist, null, 2));
        fs.renameSync(`${marker}.${process.pid}`, marker);
      }
      return dist;
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'pom.xml'), pomFor(version, logging));
  const cpFile = path.join(dir, 'classpath.txt');
  try {
    execFileSync(
      'mvn',
      ['-q', '-B', `-Dmaven.repo.local=${path.join(CACHE_DIR, 'm2')}`, 'dependency:build-classpath', `-Dmdep.outputFile=${cpFile}`],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`Maven could not resolve Kafka ${version}:\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`, {
      cause: err,
    });
  }
  const classpath = fs.readFileSync(cpFile, 'utf8').trim();
  const dist: KafkaDist = {
    line,
    version,
    mode,
    logging,
    classpath,
    mainClasses: findMainClasses(classpath),
    toolsSearched: Object.keys(TOOL_CLASSES).join(','),
  };
  fs.writeFileSync(marker, JSON.stringify(dist, null, 2));
  return dist;
}
