// FindCoordinator (10): key type 0 → DESCRIBE on the group (30), 1 → DESCRIBE on the transactional id
// (53), per key from v4 (denied keys answered by the gateway, the rest asked of the backend) and for the
// one key of v0–3. Key type 2 (share, brokers only) needs CLUSTER_ACTION and a denial fails every key
// with 31; before v6 it does not exist (42). Other key types are the backend's to refuse.
import type { Coordinator } from '../../../protocol/messages/find-coordinator.ts';
import { DEFAULT_ERROR_MESSAGE } from '../../../protocol/index.ts';
import type { EnforceContext, Enforcer, RequestDecision } from '../enforcer.ts';
import { GROUP_AUTHORIZATION_FAILED } from './single-group.ts';

const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;
const CLUSTER_AUTHORIZATION_FAILED = 31;
const INVALID_REQUEST = 42;
const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;
const KEY_TYPE_SHARE = 2;
const FIRST_BATCHED_VERSION = 4;
const FIRST_SHARE_VERSION = 6;

const MESSAGE_OF: Record<number, string | undefined> = {
  [GROUP_AUTHORIZATION_FAILED]: DEFAULT_ERROR_MESSAGE.GROUP_AUTHORIZATION_FAILED,
  [TRANSACTIONAL_ID_AUTHORIZATION_FAILED]: DEFAULT_ERROR_MESSAGE.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  [CLUSTER_AUTHORIZATION_FAILED]: DEFAULT_ERROR_MESSAGE.CLUSTER_AUTHORIZATION_FAILED,
};

/** The error a key of this type gets when its check fails, or 0 when allowed (types 0 and 1 only). */
function keyError(ctx: EnforceContext, keyType: number, key: string): number {
  if (keyType === KEY_TYPE_GROUP) return ctx.authz.allowed('DESCRIBE', 'GROUP', key) ? 0 : GROUP_AUTHORIZATION_FAILED;
  if (keyType === KEY_TYPE_TRANSACTION)
    return ctx.authz.allowed('DESCRIBE', 'TRANSACTIONAL_ID', key) ? 0 : TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  return 0;
}

function failedKey(key: string, errorCode: number, errorMessage: string | null = ''): Coordinator {
  // A 4.3 broker sends an empty message for a denied key (measured; spec §2.4 says null).
  return { key, nodeId: -1, host: '', port: -1, errorCode, errorMessage };
}

/** The whole request fails with `errorCode`: v0–3 in the single answer (default message), v4+ in every key. */
function wholeFailure(version: number, keys: string[], errorCode: number): RequestDecision<Coordinator[]> {
  if (version < FIRST_BATCHED_VERSION) {
    // v0 has neither a message nor a throttle time.
    const errorMessage = version >= 1 ? (MESSAGE_OF[errorCode] ?? null) : null;
    return { action: 'answer', body: { throttleTimeMs: 0, errorCode, errorMessage, nodeId: -1, host: '', port: -1 } };
  }
  // The whole-request failure of the share key type carries the default text (measured on 4.3).
  return { action: 'answer', body: { coordinators: keys.map((k) => failedKey(k, errorCode, MESSAGE_OF[errorCode] ?? null)) } };
}

export const findCoordinator: Enforcer<10, Coordinator[]> = {
  apiKey: 10,
  versions: { min: 0, max: 6 },
  onRequest(req, ctx) {
    const body = req.body();
    const version = req.apiVersion;
    const keyType = version >= 1 ? body.keyType : KEY_TYPE_GROUP;
    const keys = version >= FIRST_BATCHED_VERSION ? body.coordinatorKeys : [body.key];
    if (keyType === KEY_TYPE_SHARE) {
      if (version < FIRST_SHARE_VERSION) return wholeFailure(version, keys, INVALID_REQUEST);
      if (!ctx.authz.allowed('CLUSTER_ACTION', 'CLUSTER', 'kafka-cluster'))
        return wholeFailure(version, keys, CLUSTER_AUTHORIZATION_FAILED);
      return { action: 'forward' };
    }
    if (version < FIRST_BATCHED_VERSION) {
      const errorCode = keyError(ctx, keyType, body.key);
      return errorCode === 0 ? { action: 'forward' } : wholeFailure(version, keys, errorCode);
    }
    const allowed: string[] = [];
    const denied: Coordinator[] = [];
    for (const key of keys) {
      const errorCode = keyError(ctx, keyType, key);
      if (errorCode === 0) allowed.push(key);
      else denied.push(failedKey(key, errorCode));
    }
    if (denied.length === 0) return { action: 'forward' };
    if (allowed.length === 0) return { action: 'answer', body: { coordinators: denied } };
    return { action: 'rewrite', body: { ...body, coordinatorKeys: allowed }, memo: denied };
  },
  onResponse(body, denied) {
    body.coordinators.push(...denied);
  },
};
