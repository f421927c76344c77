/**
 * JVM flags for test-bed processes: heap capped (the bed runs several JVMs on a small machine),
 * serial GC and the C1 compiler only, which start fast and use little CPU. Benchmarks pass their
 * own flags to get full JIT.
 */
export const TEST_JVM_OPTIONS = [
  '-Xms64m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xss512k',
  '-Djava.awt.headless=true',
  '-Djava.net.preferIPv4Stack=true',
];

export const TOOL_JVM_OPTIONS = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.net.preferIPv4Stack=true'];
