// The test bed is real: Kafka legacy with 1 broker(s), Java tools, kcat and kafkajs all agree.
import { smokeSuite } from './smoke-scenario.ts';

smokeSuite('legacy', 1);
