// The test bed is real: Kafka 4 with 3 broker(s), Java tools, kcat and kafkajs all agree.
import { smokeSuite } from './smoke-scenario.ts';

smokeSuite('4', 3);
