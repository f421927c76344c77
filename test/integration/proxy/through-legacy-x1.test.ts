// Real clients through the gateway in front of the legacy (ZooKeeper-mode 2.8) cluster.
import { proxySuite } from './interop-scenario.ts';

proxySuite('legacy', 1);
