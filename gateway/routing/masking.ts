// Backend addresses the gateway cannot rewrite, because nothing of the gateway stands for them, are masked
// instead: controller listeners in DescribeQuorum, and broker configs whose values name listeners.
import type { Struct } from '../protocol/index.ts';

/**
 * DescribeQuorum v2+ lists each voter's controller listeners. Clients never reach controllers through the
 * gateway and a broker port is not a controller's, so the lists are emptied: node ids stay, endpoints go.
 * Returns whether anything changed.
 */
export function maskQuorumListeners(nodes: Array<{ listeners: unknown[] }>): boolean {
  let changed = false;
  for (const node of nodes) {
    if (node.listeners.length === 0) continue;
    node.listeners = [];
    changed = true;
  }
  return changed;
}

/** Configs that carry backend listener or quorum addresses whatever their value looks like. */
const ADDRESS_CONFIGS = new Set([
  'listeners',
  'advertised.listeners',
  'controller.quorum.voters',
  'controller.quorum.bootstrap.servers',
  'zookeeper.connect',
]);

/** `host:port` anywhere in a value (`PLAINTEXT://10.0.0.5:9092`, `1@ctrl-1:9093`, `[::1]:9092`, `zk:2181/kafka`). */
const HOST_PORT = /[\w.\-\]]:\d{1,5}(?!\d)/;

function carriesAddress(name: string, value: string | null): boolean {
  return ADDRESS_CONFIGS.has(name) || (value !== null && HOST_PORT.test(value));
}

type ConfigEntry = { name: string; value: string | null; isSensitive: boolean; synonyms?: Array<{ name: string; value: string | null }> };

/**
 * DescribeConfigs results: a config whose value names a backend address gets the shape Kafka gives a
 * sensitive config (value null, isSensitive true, synonyms' values null), so tools print "sensitive=true"
 * instead of the backend's listeners. Returns whether anything changed.
 */
export function maskAddressConfigs(results: Struct[]): boolean {
  let changed = false;
  for (const result of results) {
    for (const config of (result.configs ?? []) as ConfigEntry[]) {
      const synonyms = config.synonyms ?? [];
      if (!carriesAddress(config.name, config.value) && !synonyms.some((s) => carriesAddress(s.name, s.value))) continue;
      config.value = null;
      config.isSensitive = true;
      for (const s of synonyms) s.value = null;
      changed = true;
    }
  }
  return changed;
}
