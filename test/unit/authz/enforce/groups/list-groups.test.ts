// ListGroups (16): DESCRIBE on the cluster (quiet) shows all; otherwise the answer keeps only describable groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listGroups } from '../../../../../gateway/authz/enforce/groups/list-groups.ts';
import { decide, forwardedWithoutMemo, afterResponse, forwardMemo } from './helpers.ts';

const listed = (version: number) => ({
  errorCode: 0,
  groups: ['g1', 'g2', 'other'].map((groupId) => ({
    groupId,
    protocolType: 'consumer',
    ...(version >= 4 ? { groupState: 'Stable' } : {}),
    ...(version >= 5 ? { groupType: 'classic' } : {}),
  })),
});

for (const version of [0, 3, 5]) {
  test(`ListGroups v${version}: DESCRIBE on the cluster → forward untouched, asked quietly`, () => {
    const { decision, ctx } = decide(listGroups, version, {}, ['User:alice ALLOW DESCRIBE CLUSTER kafka-cluster']);
    forwardedWithoutMemo(decision);
    assert.deepEqual(ctx.asked, [{ operation: 'DESCRIBE', type: 'CLUSTER', name: 'kafka-cluster', quiet: true }]);
  });

  test(`ListGroups v${version}: without it, only describable groups remain, never an error`, () => {
    const { decision, ctx } = decide(listGroups, version, {}, ['User:alice ALLOW DESCRIBE GROUP g PREFIXED']);
    assert.equal(decision.action, 'forward');
    const merged = afterResponse(listGroups, version, listed(version), forwardMemo(decision), ctx);
    assert.equal(merged.errorCode, 0);
    assert.deepEqual(
      merged.groups.map((g: { groupId: string }) => g.groupId),
      ['g1', 'g2'],
    );
    assert.ok(ctx.asked.every((q) => q.quiet));
  });
}
