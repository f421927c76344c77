// What a broker without delegation-token support answers (spec §2.3, §2.5; Kafka's KafkaApis and
// DelegationTokenControlManager): a connection that may not ask for tokens (PLAINTEXT, TLS without a
// client certificate, token-authenticated) gets 64 first; otherwise the request reaches the token
// manager, which is disabled (no secret key) and answers 61.

/** A principal string `Type:name`, split at the first colon as Kafka parses it. */
export interface PrincipalParts {
  readonly principalType: string;
  readonly principalName: string;
}

export function principalParts(principal: string): PrincipalParts {
  const colon = principal.indexOf(':');
  return colon === -1
    ? { principalType: 'User', principalName: principal }
    : { principalType: principal.slice(0, colon), principalName: principal.slice(colon + 1) };
}

/** The timestamp a broker puts in a refusal it makes itself (Kafka's `ErrorTimestamp`). */
export const REFUSED_TIMESTAMP = -1n;
/**
 * The timestamp of the disabled token manager's refusal: the controller leaves the field unset (0) and
 * the broker passes it on.
 */
export const DISABLED_TIMESTAMP = 0n;
