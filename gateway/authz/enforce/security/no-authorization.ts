// APIs a broker serves without any authorization question (spec §2.3): ApiVersions (the session caps
// the advertised versions), the SASL handshake and token exchange, and client telemetry (KIP-714,
// never an authorization error). The SASL APIs never reach an enforcer: the session runs them on SASL
// listeners and answers them with ILLEGAL_SASL_STATE elsewhere (spec §3.3 point 5); they are listed so
// their versions are advertised. The others go upstream untouched.
import { API_KEY, type TypedApiKey, versionRange } from '../../../protocol/index.ts';
import type { Enforcer } from '../enforcer.ts';

function forwardUntouched<K extends TypedApiKey>(apiKey: K): Enforcer<K> {
  return {
    apiKey,
    versions: versionRange(apiKey) ?? { min: 0, max: -1 },
    onRequest: () => ({ action: 'forward' }),
  };
}

export const NO_AUTHORIZATION_ENFORCERS = [
  forwardUntouched(API_KEY.SaslHandshake),
  forwardUntouched(API_KEY.ApiVersions),
  forwardUntouched(API_KEY.SaslAuthenticate),
  forwardUntouched(API_KEY.GetTelemetrySubscriptions),
  forwardUntouched(API_KEY.PushTelemetry),
] as const;
