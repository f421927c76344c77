// ListTransactions (spec §2.5): never an authorization error; the answer keeps only the transactions
// whose id the principal may DESCRIBE (a filter of what the backend listed, asked quietly).
import { API_KEY, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';

export const listTransactionsEnforcer: Enforcer<typeof API_KEY.ListTransactions, true> = {
  apiKey: API_KEY.ListTransactions,
  versions: versionRange(API_KEY.ListTransactions) ?? { min: 0, max: -1 },
  onRequest() {
    return { action: 'forward', memo: true };
  },
  onResponse(body, _memo, { authz }) {
    body.transactionStates = body.transactionStates.filter((s) =>
      authz.allowed('DESCRIBE', 'TRANSACTIONAL_ID', s.transactionalId, { quiet: true }),
    );
  },
};
