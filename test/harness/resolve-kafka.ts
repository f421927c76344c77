// Resolves every Kafka line of the test bed (run by the set-up script; cached after the first run).
import { ALL_KAFKA_LINES, resolveKafka } from './kafka-dist.ts';

for (const line of ALL_KAFKA_LINES) {
  const started = Date.now();
  const dist = resolveKafka(line);
  const tools = Object.keys(dist.mainClasses).length;
  console.log(
    `kafka ${line}: ${dist.version} (${dist.mode}), ${dist.classpath.split(':').length} jars, ${tools} tools, ${Date.now() - started} ms`,
  );
}
