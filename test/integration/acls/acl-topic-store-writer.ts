// A process that changes the managed ACL set of a kafka store (session/acl-topic-store.ts) one operation
// after another, printing the number of each operation once it resolved, until it is killed
// (acl-topic-store-crash.test.ts kills it with SIGKILL mid-stream). The operations are numbered and fixed
// (crashOp below), so the test knows exactly which set the first n of them leave.
// Arguments: the backend bootstrap (host:port,...), the topic, the number of the first operation to make.
import { pathToFileURL } from 'node:url';
import type { AclBinding } from '../../../gateway/authz/acls/acl-binding.ts';
import { createLogger } from '../../../gateway/observability/logger.ts';
import { KafkaAclStore } from '../../../gateway/session/acl-topic-store.ts';
import { crashBinding } from '../../unit/authz/acls/file-store-crash-bindings.ts';

export interface CrashOp {
  readonly kind: 'add' | 'remove';
  readonly bindings: readonly AclBinding[];
}

/** Three bindings written by one add (one record batch of three records). */
const group = (j: number): AclBinding[] => [crashBinding(3 * j), crashBinding(3 * j + 1), crashBinding(3 * j + 2)];

/**
 * Operation j: mostly an add of one new binding; every fifth one adds three in one call, and some remove
 * bindings added two or one operations before (three tombstones in one call, or one). No binding is ever
 * added again once removed, so every prefix of the operations leaves a different set.
 */
export function crashOp(j: number): CrashOp {
  if (j % 5 === 2) return { kind: 'add', bindings: group(j) };
  if (j % 10 === 4) return { kind: 'remove', bindings: group(j - 2) };
  if (j % 10 === 9) return { kind: 'remove', bindings: [crashBinding(3 * (j - 1))] };
  return { kind: 'add', bindings: [crashBinding(3 * j)] };
}

async function main(bootstrap: string, topic: string, first: number): Promise<never> {
  const store = new KafkaAclStore({
    bootstrap: bootstrap.split(',').map((hp) => {
      const i = hp.lastIndexOf(':');
      return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
    }),
    topic,
    logger: createLogger({ level: 'warn', destination: 2 }),
  });
  await store.start();
  const actor = { principal: 'User:writer', clientAddress: '127.0.0.1', listener: 'crash-test' };
  for (let j = first; ; j++) {
    const op = crashOp(j);
    await (op.kind === 'add' ? store.add(op.bindings, actor) : store.remove(op.bindings, actor));
    process.stdout.write(`${j}\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [bootstrap, topic, first] = process.argv.slice(2);
  await main(bootstrap, topic, Number(first));
}
