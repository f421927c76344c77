// The Kafka frames of SASL authentication (spec §3.2–§3.4, §4.1, §4.2), encoded and decoded with the
// protocol codec: SaslHandshake and SaslAuthenticate answers, the locally made ApiVersions answer of an
// unauthenticated connection, the legacy v0 raw token frame, and the ILLEGAL_SASL_STATE answers (to the
// SASL APIs on a listener without SASL or after authentication, and to any other API mid-handshake).
import {
  API_KEY,
  ErrorCode,
  type Struct,
  decodeRequestFrame,
  encodeResponseFrame,
  topLevelField,
  versionRange,
} from '../../protocol/index.ts';

/** One entry of an ApiVersions answer. */
export type ApiVersionRange = { readonly apiKey: number; readonly minVersion: number; readonly maxVersion: number };

/** What the gateway's own ApiVersions answer lists: the advertised ranges and, when known, the backend's feature fields (v3+). */
export type LocalApiVersions = {
  readonly apiKeys: readonly ApiVersionRange[];
  readonly features: {
    readonly supportedFeatures: readonly Struct[];
    readonly finalizedFeaturesEpoch: bigint;
    readonly finalizedFeatures: readonly Struct[];
    readonly zkMigrationReady: boolean;
  } | null;
};

/** Kafka's rule for ApiVersions v3+ client software name and version (spec §3.2). */
const SOFTWARE_FIELD = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;

export const AFTER_AUTHENTICATION_MESSAGE = 'SaslAuthenticate request received after successful authentication';

function answer(apiKey: number, apiVersion: number, correlationId: number, body: Struct): Buffer {
  return encodeResponseFrame({ correlationId }, body, apiKey, apiVersion, { sizePrefix: true });
}

export function handshakeAnswer(apiVersion: number, correlationId: number, errorCode: number, mechanisms: readonly string[]): Buffer {
  return answer(API_KEY.SaslHandshake, apiVersion, correlationId, { errorCode, mechanisms: [...mechanisms] });
}

export function authenticateAnswer(
  apiVersion: number,
  correlationId: number,
  fields: { errorCode: number; errorMessage: string | null; authBytes: Buffer | null; sessionLifetimeMs: number },
): Buffer {
  return answer(API_KEY.SaslAuthenticate, apiVersion, correlationId, {
    errorCode: fields.errorCode,
    errorMessage: fields.errorMessage,
    authBytes: fields.authBytes ?? Buffer.alloc(0),
    // v0 cannot carry it (it must hold its default there).
    sessionLifetimeMs: apiVersion >= 1 ? BigInt(fields.sessionLifetimeMs) : 0n,
  });
}

/** The legacy v0 path (§4.2): a server token is its int32 length and its bytes, with no Kafka header. */
export function rawTokenFrame(token: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + token.length);
  frame.writeInt32BE(token.length, 0);
  token.copy(frame, 4);
  return frame;
}

/** The answer to an ApiVersions newer than the gateway speaks: v0 layout, 35, the versions it does speak (§3.2). */
export function unsupportedApiVersionsAnswer(correlationId: number): Buffer {
  const range = versionRange(API_KEY.ApiVersions)!;
  return answer(API_KEY.ApiVersions, 0, correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: API_KEY.ApiVersions, minVersion: range.min, maxVersion: range.max }],
  });
}

/**
 * ApiVersions answered by the gateway itself (no backend connection before authentication): the ranges
 * the gateway advertises and the backend's features, or 42 for a v3+ request whose client software fields break Kafka's rule.
 * `valid` says whether the answer moves the handshake on (an invalid request does not).
 */
export function apiVersionsAnswer(
  request: Buffer,
  apiVersion: number,
  correlationId: number,
  listed: LocalApiVersions,
): { frame: Buffer; valid: boolean } {
  if (apiVersion >= 3) {
    const body = decodeRequestFrame(request).body;
    const name = body.clientSoftwareName as string;
    const version = body.clientSoftwareVersion as string;
    if (!SOFTWARE_FIELD.test(name) || !SOFTWARE_FIELD.test(version)) {
      return { frame: answer(API_KEY.ApiVersions, apiVersion, correlationId, { errorCode: ErrorCode.INVALID_REQUEST }), valid: false };
    }
  }
  const apiKeys = listed.apiKeys.map((r) => ({ apiKey: r.apiKey, minVersion: r.minVersion, maxVersion: r.maxVersion }));
  // The features are what clients read finalized versions from (transaction.version, group.version…).
  const features = listed.features && {
    supportedFeatures: [...listed.features.supportedFeatures],
    finalizedFeaturesEpoch: listed.features.finalizedFeaturesEpoch,
    finalizedFeatures: [...listed.features.finalizedFeatures],
    zkMigrationReady: listed.features.zkMigrationReady,
  };
  const body: Struct = { errorCode: 0, apiKeys, throttleTimeMs: 0, ...features };
  return { frame: answer(API_KEY.ApiVersions, apiVersion, correlationId, body), valid: true };
}

/**
 * ILLEGAL_SASL_STATE for the SASL APIs themselves (§3.3 point 5): a SaslHandshake gets 34 and no
 * mechanisms, a SaslAuthenticate 34 and the broker's "after successful authentication" text.
 */
export function saslApiIllegalStateAnswer(apiKey: number, apiVersion: number, correlationId: number): Buffer {
  if (apiKey === API_KEY.SaslHandshake) return handshakeAnswer(apiVersion, correlationId, ErrorCode.ILLEGAL_SASL_STATE, []);
  return authenticateAnswer(apiVersion, correlationId, {
    errorCode: ErrorCode.ILLEGAL_SASL_STATE,
    errorMessage: AFTER_AUTHENTICATION_MESSAGE,
    authBytes: null,
    sessionLifetimeMs: 0,
  });
}

/**
 * Another API's request during the token exchange (§3.3 point 4): that API's error response with 34,
 * as Kafka's `getErrorResponse` builds it for the APIs clients send first — the top-level error code
 * where the API has one, and for Metadata (which has none) every requested topic with the error.
 * Throws ProtocolError when the request does not decode (the caller closes without an answer).
 */
export function illegalStateErrorResponse(request: Buffer): Buffer {
  const { header, body } = decodeRequestFrame(request);
  const apiKey = header.requestApiKey;
  const apiVersion = header.requestApiVersion;
  const error = ErrorCode.ILLEGAL_SASL_STATE;
  const response: Struct = {};
  if (topLevelField(apiKey, apiVersion, 'response', 'errorCode')) response.errorCode = error;
  if (apiKey === API_KEY.Metadata) {
    const topics = (body.topics as Array<{ name: string | null; topicId: string }> | null) ?? [];
    response.topics = topics.map((t) => ({ name: t.name, topicId: t.topicId, errorCode: error, partitions: [] }));
  }
  return answer(apiKey, apiVersion, header.correlationId, response);
}
