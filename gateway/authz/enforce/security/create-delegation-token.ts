// CreateDelegationToken, answered as a broker without token support (spec §2.5), checks in the
// broker's order: a named owner without a type fails to build (−1, owner and requester ANONYMOUS) · the
// connection may not ask for tokens → 64 · a token for someone else needs CREATE_TOKENS on that user
// → 65 · renewers must be of type User → 67 · else the disabled token manager → 61.
import { API_KEY, ErrorCode, type ResponseBody, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';
import { DISABLED_TIMESTAMP, principalParts, type PrincipalParts, REFUSED_TIMESTAMP } from './no-token-support.ts';

const ANONYMOUS: PrincipalParts = { principalType: 'User', principalName: 'ANONYMOUS' };

export const createDelegationTokenEnforcer: Enforcer<typeof API_KEY.CreateDelegationToken> = {
  apiKey: API_KEY.CreateDelegationToken,
  versions: versionRange(API_KEY.CreateDelegationToken) ?? { min: 0, max: -1 },
  onRequest(req, { authz, tokenRequestsAllowed }) {
    const body = req.body();
    const requester = principalParts(authz.principal);
    const { ownerPrincipalType, ownerPrincipalName } = body;
    let owner = requester;
    if (ownerPrincipalName !== null && ownerPrincipalName !== '') {
      if (ownerPrincipalType === null) {
        // Kafka fails to build a principal without a type before any check: its generic error answer.
        return { action: 'answer', body: refusal(req.apiVersion, ErrorCode.UNKNOWN_SERVER_ERROR, ANONYMOUS, ANONYMOUS, REFUSED_TIMESTAMP) };
      }
      owner = { principalType: ownerPrincipalType, principalName: ownerPrincipalName };
    }
    const ownerIsRequester = owner.principalType === requester.principalType && owner.principalName === requester.principalName;
    let errorCode: number;
    let timestamp = REFUSED_TIMESTAMP;
    if (!tokenRequestsAllowed) errorCode = ErrorCode.DELEGATION_TOKEN_REQUEST_NOT_ALLOWED;
    else if (!ownerIsRequester && !authz.allowed('CREATE_TOKENS', 'USER', `${owner.principalType}:${owner.principalName}`)) {
      errorCode = ErrorCode.DELEGATION_TOKEN_AUTHORIZATION_FAILED;
    } else if (body.renewers.some((r) => r.principalType !== 'User')) errorCode = ErrorCode.INVALID_PRINCIPAL_TYPE;
    else {
      errorCode = ErrorCode.DELEGATION_TOKEN_AUTH_DISABLED;
      timestamp = DISABLED_TIMESTAMP;
    }
    return { action: 'answer', body: refusal(req.apiVersion, errorCode, owner, requester, timestamp) };
  },
};

/** The first version that names the requester beside the owner. */
const FIRST_REQUESTER_VERSION = 3;

function refusal(
  version: number,
  errorCode: number,
  owner: PrincipalParts,
  requester: PrincipalParts,
  timestamp: bigint,
): Partial<ResponseBody<typeof API_KEY.CreateDelegationToken>> {
  const named = version >= FIRST_REQUESTER_VERSION;
  return {
    errorCode,
    principalType: owner.principalType,
    principalName: owner.principalName,
    // Older versions cannot carry the requester: the fields must keep their default there.
    tokenRequesterPrincipalType: named ? requester.principalType : '',
    tokenRequesterPrincipalName: named ? requester.principalName : '',
    issueTimestampMs: timestamp,
    expiryTimestampMs: timestamp,
    maxTimestampMs: timestamp,
    tokenId: '',
    hmac: Buffer.alloc(0),
    throttleTimeMs: 0,
  };
}
