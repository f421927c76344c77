// DeleteGroups (42): the broker de-duplicates the names, then DELETE per group → 30 in its result.
import type { DeletableGroupResult } from '../../../protocol/messages/delete-groups.ts';
import type { Enforcer } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED } from './single-group.ts';

export const deleteGroups: Enforcer<42, DeletableGroupResult[]> = {
  apiKey: 42,
  versions: { min: 0, max: 2 },
  onRequest(req, ctx) {
    const body = req.body();
    const names = [...new Set(body.groupsNames)];
    const allowed = names.filter((g) => ctx.authz.allowed('DELETE', 'GROUP', g));
    if (allowed.length === names.length) return { action: 'forward' };
    const denied = names.filter((g) => !allowed.includes(g)).map((groupId) => ({ groupId, errorCode: GROUP_AUTHORIZATION_FAILED }));
    if (allowed.length === 0) return { action: 'answer', body: { throttleTimeMs: 0, results: denied } };
    return { action: 'rewrite', body: { ...body, groupsNames: allowed }, memo: denied };
  },
  onResponse(body, denied) {
    body.results.push(...denied);
  },
};
