// RenewDelegationToken, answered as a broker without token support (spec §2.5): 64 on a connection that
// may not ask for tokens (expiry −1), else the disabled token manager's 61 (expiry left unset: 0).
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { DISABLED_TIMESTAMP, REFUSED_TIMESTAMP } from './no-token-support.ts';

export const renewDelegationTokenEnforcer: Enforcer<typeof API_KEY.RenewDelegationToken> = {
  apiKey: API_KEY.RenewDelegationToken,
  versions: versionRange(API_KEY.RenewDelegationToken) ?? { min: 0, max: -1 },
  onRequest(_req, { tokenRequestsAllowed }) {
    const body = tokenRequestsAllowed
      ? { errorCode: ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED, expiryTimestampMs: DISABLED_TIMESTAMP, throttleTimeMs: 0 }
      : { errorCode: ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED, expiryTimestampMs: REFUSED_TIMESTAMP, throttleTimeMs: 0 };
    return { action: 'answer', body };
  },
};
