// The differential suite on Kafka 4: a broker with StandardAuthorizer vs the gateway, same ACLs.
import { differentialSuite } from './differential-scenario.ts';

differentialSuite('4');
