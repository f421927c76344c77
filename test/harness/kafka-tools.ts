import fs from 'node:fs';
import path from 'node:path';
import { resolveKafka, type KafkaLine, type KafkaToolName } from './kafka-dist.ts';
import { TOOL_JVM_OPTIONS } from './jvm.ts';
import { run, type RunResult } from './run.ts';
import { tempDirRemovedAtExit } from './temp-dir.ts';

let quietLogging: string | undefined;

/** Tools print INFO chatter to stdout without a config; keep stdout for their real output. */
function toolLoggingFlags(): string[] {
  if (!quietLogging) {
    const dir = tempDirRemovedAtExit('gatehouse-tools-');
    quietLogging = path.join(dir, 'tools-log4j.properties');
    fs.writeFileSync(
      quietLogging,
      'log4j.rootLogger=ERROR, E\nlog4j.appender.E=org.apache.log4j.ConsoleAppender\nlog4j.appender.E.Target=System.err\nlog4j.appender.E.layout=org.apache.log4j.PatternLayout\nlog4j.appender.E.layout.ConversionPattern=%p %m%n\n',
    );
    fs.writeFileSync(
      `${quietLogging}.xml`,
      '<Configuration status="error"><Appenders><Console name="E" target="SYSTEM_ERR"><PatternLayout pattern="%p %m%n"/></Console></Appenders><Loggers><Root level="error"><AppenderRef ref="E"/></Root></Loggers></Configuration>\n',
    );
  }
  return [`-Dlog4j.configuration=file:${quietLogging}`, `-Dlog4j2.configurationFile=${quietLogging}.xml`];
}

/**
 * Runs one of Kafka's own command-line tools (the `kafka-*.sh` scripts' main classes) from the
 * given line's Maven artifacts: `kafkaTool('4', 'topics', ['--bootstrap-server', b, '--list'])`.
 */
export async function kafkaTool(
  line: KafkaLine,
  tool: KafkaToolName,
  args: string[],
  opts: { input?: string; timeoutMs?: number; jvmOptions?: string[]; /** another java binary than the one on PATH */ java?: string } = {},
): Promise<RunResult> {
  const dist = resolveKafka(line);
  const mainClass = dist.mainClasses[tool];
  if (!mainClass) throw new Error(`Kafka ${dist.version} has no '${tool}' tool`);
  const jvm = [...(opts.jvmOptions ?? TOOL_JVM_OPTIONS), ...toolLoggingFlags()];
  return run(opts.java ?? 'java', [...jvm, '-cp', dist.classpath, mainClass, ...args], { input: opts.input, timeoutMs: opts.timeoutMs });
}
