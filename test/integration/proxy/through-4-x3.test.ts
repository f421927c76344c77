// Real clients through the gateway in front of a 3-broker Kafka 4 cluster (incl. KIP-848 groups).
import { proxySuite } from './interop-scenario.ts';

proxySuite('4', 3, { consumerProtocol: true });
