// DeleteGroups (42): de-duplicated names, DELETE per group → 30 per result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deleteGroups } from '../../../../../gateway/authz/enforce/groups/delete-groups.ts';
import { answered, decide, forwardedWithoutMemo, rewritten, afterResponse } from './helpers.ts';

for (const version of [0, 1, 2]) {
  test(`DeleteGroups v${version}: allowed → forward; all denied → one 30 result per distinct group`, () => {
    forwardedWithoutMemo(decide(deleteGroups, version, { groupsNames: ['g'] }, ['User:alice ALLOW DELETE GROUP g']).decision);
    const body = answered(
      deleteGroups,
      version,
      decide(deleteGroups, version, { groupsNames: ['g', 'h', 'g'] }, ['User:alice ALLOW READ GROUP g']).decision,
    );
    assert.deepEqual(
      body.results.map((r: { groupId: string; errorCode: number }) => [r.groupId, r.errorCode]),
      [
        ['g', 30],
        ['h', 30],
      ],
    );
  });

  test(`DeleteGroups v${version}: partial → allowed deleted upstream, denied merged`, () => {
    const { decision, ctx } = decide(deleteGroups, version, { groupsNames: ['g', 'h'] }, ['User:alice ALLOW DELETE GROUP h']);
    const { body, memo } = rewritten(deleteGroups, version, decision);
    assert.deepEqual(body.groupsNames, ['h']);
    const merged = afterResponse(deleteGroups, version, { throttleTimeMs: 0, results: [{ groupId: 'h', errorCode: 0 }] }, memo, ctx);
    assert.deepEqual(
      merged.results.map((r: { groupId: string; errorCode: number }) => [r.groupId, r.errorCode]),
      [
        ['h', 0],
        ['g', 30],
      ],
    );
  });
}
