// The bindings the crash test's writer adds, numbered: the test checks that what survives a kill is
// exactly the first n of them.
import type { AclBinding } from '../../../../gateway/authz/acls/acl-binding.ts';

export function crashBinding(i: number): AclBinding {
  return {
    resource: { type: 'TOPIC', patternType: i % 2 === 0 ? 'LITERAL' : 'PREFIXED', name: `crash-topic-${i}-${'x'.repeat(40)}` },
    principal: `User:writer-${i}`,
    host: '*',
    operation: 'WRITE',
    permission: 'ALLOW',
  };
}
