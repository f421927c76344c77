// A process that adds managed ACLs to a file store one after another, printing the number of each add
// once it resolved, until it is killed (file-store-crash.test.ts kills it with SIGKILL mid-stream).
// Arguments: the managed ACL file, the index of the first binding to add.
import { FileAclStore } from '../../../../gateway/authz/acls/file-store.ts';
import { crashBinding } from './file-store-crash-bindings.ts';

const [path, first] = process.argv.slice(2);
const store = new FileAclStore({ path, watch: false });
await store.start();
for (let i = Number(first); ; i++) {
  await store.add([crashBinding(i)], { principal: 'User:writer', clientAddress: '127.0.0.1', listener: 'crash-test' });
  process.stdout.write(`${i}\n`);
}
