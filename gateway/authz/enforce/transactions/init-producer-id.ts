// InitProducerId (spec §2.5): a transactional producer needs WRITE on its transactional id (and
// TWO_PHASE_COMMIT too when a v6 request enables two-phase commit) → else 53; an idempotent producer
// needs IDEMPOTENT_WRITE on the cluster (asked first, a denial the broker does not log) or WRITE on at
// least one topic (KIP-679, §1.7) → else 31. A denial is answered with no producer id (−1/−1).
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import { CLUSTER_NAME } from '../../model.ts';
import type { Authorizer, Enforcer } from '../enforcer.ts';

export const initProducerIdEnforcer: Enforcer<typeof API_KEY.InitProducerId> = {
  apiKey: API_KEY.InitProducerId,
  versions: versionRange(API_KEY.InitProducerId) ?? { min: 0, max: -1 },
  onRequest(req, { authz }) {
    const { transactionalId, enable2Pc } = req.body();
    const error = transactionalId === null ? idempotentDenial(authz) : transactionalDenial(authz, transactionalId, enable2Pc);
    if (error === undefined) return { action: 'forward' };
    return {
      action: 'answer',
      body: {
        throttleTimeMs: 0,
        errorCode: error,
        producerId: -1n,
        producerEpoch: -1,
        ongoingTxnProducerId: -1n,
        ongoingTxnProducerEpoch: -1,
      },
    };
  },
};

function transactionalDenial(authz: Authorizer, transactionalId: string, enable2Pc: boolean): number | undefined {
  if (!authz.allowed('WRITE', 'TRANSACTIONAL_ID', transactionalId)) return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  if (enable2Pc && !authz.allowed('TWO_PHASE_COMMIT', 'TRANSACTIONAL_ID', transactionalId))
    return ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  return undefined;
}

function idempotentDenial(authz: Authorizer): number | undefined {
  if (authz.allowed('IDEMPOTENT_WRITE', 'CLUSTER', CLUSTER_NAME, { bypass: true })) return undefined;
  return authz.allowedOnAny('WRITE', 'TOPIC') ? undefined : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
}
