// The differential suite on Kafka 3.9 (KRaft, StandardAuthorizer): the last line with the versions KIP-896 removed.
import { differentialSuite } from './differential-scenario.ts';

differentialSuite('3.9');
