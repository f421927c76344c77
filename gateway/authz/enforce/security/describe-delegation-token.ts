// DescribeDelegationToken, answered as a broker without token support (spec §2.5): 64 on a connection
// that may not ask for tokens, else 61 — the broker checks that tokens are enabled before it looks at
// the owners, so an empty owner list gets 61 too. Never any tokens.
import { API_KEY, ErrorCode, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';

export const describeDelegationTokenEnforcer: Enforcer<typeof API_KEY.DescribeDelegationToken> = {
  apiKey: API_KEY.DescribeDelegationToken,
  versions: versionRange(API_KEY.DescribeDelegationToken) ?? { min: 0, max: -1 },
  onRequest(_req, { tokenRequestsAllowed }) {
    const errorCode = tokenRequestsAllowed ? ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED : ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;
    return { action: 'answer', body: { errorCode, tokens: [], throttleTimeMs: 0 } };
  },
};
