// Real clients through the gateway in front of Kafka 3.9.
import { proxySuite } from './interop-scenario.ts';

proxySuite('3.9', 1);
