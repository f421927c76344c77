// ListGroups (16): DESCRIBE on the cluster (not logged) shows every group; otherwise the backend's list
// is filtered to the groups the principal may DESCRIBE (not logged either). Never an error.
import type { Enforcer } from '../enforcer.ts';

export const listGroups: Enforcer<16, 'filter'> = {
  apiKey: 16,
  versions: { min: 0, max: 5 },
  onRequest(_req, ctx) {
    if (ctx.authz.allowed('DESCRIBE', 'CLUSTER', 'kafka-cluster', { bypass: true })) return { action: 'forward' };
    return { action: 'forward', memo: 'filter' };
  },
  onResponse(body, _memo, ctx) {
    body.groups = body.groups.filter((g) => ctx.authz.allowed('DESCRIBE', 'GROUP', g.groupId, { quiet: true }));
  },
};
