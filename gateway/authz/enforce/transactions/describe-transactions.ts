// DescribeTransactions (spec §2.5): DESCRIBE per transactional id → a 53 entry for each denied id; the
// topics inside every returned state are then filtered to those the principal may DESCRIBE (a response
// filter: the backend has no authorizer). Entries keep the request's order, as the broker answers them.
import { API_KEY, ErrorCode, type ResponseBody, versionRange } from '../../../protocol/index.ts';
import type { Authorizer, Enforcer } from '../enforcer.ts';

type State = ResponseBody<typeof API_KEY.DescribeTransactions>['transactionStates'][number];

/** The requested ids in order, each with whether it went upstream. */
export type DescribeTransactionsMemo = { readonly requested: ReadonlyArray<{ readonly id: string; readonly allowed: boolean }> };

export const describeTransactionsEnforcer: Enforcer<typeof API_KEY.DescribeTransactions, DescribeTransactionsMemo> = {
  apiKey: API_KEY.DescribeTransactions,
  versions: versionRange(API_KEY.DescribeTransactions) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    const body = req.body();
    if (body.transactionalIds.length === 0) return { action: 'forward' };
    const requested = body.transactionalIds.map((id) => ({ id, allowed: authz.allowed('DESCRIBE', 'TRANSACTIONAL_ID', id) }));
    const allowedIds = requested.filter((r) => r.allowed).map((r) => r.id);
    if (allowedIds.length === 0)
      return { action: 'answer', body: { throttleTimeMs: 0, transactionStates: requested.map((r) => deniedState(r.id)) } };
    const memo = { requested };
    if (allowedIds.length === requested.length) return { action: 'forward', memo };
    return { action: 'rewrite', body: { ...body, transactionalIds: allowedIds }, memo };
  },
  onResponse(body, memo, { authz }) {
    const returned = new Map<string, State[]>();
    for (const s of body.transactionStates) {
      const list = returned.get(s.transactionalId);
      if (list) list.push(s);
      else returned.set(s.transactionalId, [s]);
    }
    const describable = topicFilter(authz);
    const states: State[] = [];
    for (const { id, allowed } of memo.requested) {
      if (!allowed) {
        states.push(deniedState(id));
        continue;
      }
      // Only states for ids that were authorized and asked for are passed on.
      const state = returned.get(id)?.shift();
      if (!state) continue;
      state.topics = state.topics.filter((t) => describable(t.topic));
      states.push(state);
    }
    body.transactionStates = states;
  },
};

function deniedState(transactionalId: string): State {
  return {
    errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    transactionalId,
    transactionState: '',
    transactionTimeoutMs: 0,
    transactionStartTimeMs: 0n,
    producerId: 0n,
    producerEpoch: 0,
    topics: [],
  };
}

/** DESCRIBE on a topic, asked once per name per answer; quiet, as a filter of what the backend returned. */
function topicFilter(authz: Authorizer): (topic: string) => boolean {
  const seen = new Map<string, boolean>();
  return (topic) => {
    let ok = seen.get(topic);
    if (ok === undefined) seen.set(topic, (ok = authz.allowed('DESCRIBE', 'TOPIC', topic, { quiet: true })));
    return ok;
  };
}
