// The test bed is real: Kafka 3.9 with 1 broker(s), Java tools, kcat and kafkajs all agree.
import { smokeSuite } from './smoke-scenario.ts';

smokeSuite('3.9', 1);
