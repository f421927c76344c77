// Who is on the other end of a client connection, as established when it was admitted: the real
// client address (behind a PROXY-protocol load balancer, the address the header names), the principal,
// and how the principal was found. On a SASL listener the principal is ANONYMOUS until the client
// authenticates; the session then replaces the identity with the SASL principal ('sasl').
import type { KafkaPrincipal } from '../common/principal.ts';
import type { SaslMechanismName } from '../common/sasl-mechanism-names.ts';

export type IdentityMethod = 'anonymous' | 'ip' | 'certificate-dn' | 'certificate-san' | 'sasl';

export type TlsSessionInfo = {
  protocol: string | null;
  cipher: string;
  /** The SNI name the client asked for, if any. */
  serverName: string | null;
  /** The client certificate's subject DN (RFC 2253) and serial, when one was presented. */
  subject: string | null;
  serial: string | null;
  /** The client certificate's issuer DN (RFC 2253): with the serial, what a CRL names. */
  issuer: string | null;
};

export type ClientIdentity = {
  address: string;
  port: number;
  principal: KafkaPrincipal;
  method: IdentityMethod;
  tls: TlsSessionInfo | null;
  /** How SASL authenticated the connection (absent: no SASL, or not authenticated yet). */
  sasl?: { mechanism: SaslMechanismName };
};
