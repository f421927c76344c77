// The SASL mechanisms Gatehouse serves, by their wire names (SaslHandshake's Mechanism field). A leaf:
// the configuration validates listener mechanism lists against it, auth implements each one.
export const SASL_MECHANISM_NAMES = ['GSSAPI', 'PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'] as const;
export type SaslMechanismName = (typeof SASL_MECHANISM_NAMES)[number];
