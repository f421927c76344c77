// Why a TLS handshake failed, as a bounded label: OpenSSL's error (as Node reports it on the server's
// tlsClientError) sorted into what an operator acts on — a plaintext client on a TLS port, an old
// protocol, no cipher in common, the client refusing the gateway's certificate, a timeout.

export type TlsHandshakeFailure =
  | 'timeout'
  | 'not-tls'
  | 'protocol-version'
  | 'no-shared-cipher'
  | 'client-rejected-certificate'
  | 'client-alert'
  | 'connection-reset'
  | 'other';

/** What the client's alert says about the gateway's certificate (the client does not trust it). */
const CERTIFICATE_ALERTS =
  /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|DECRYPT_ERROR)$/;

export function classifyTlsHandshakeFailure(error: { code?: string; message?: string }): TlsHandshakeFailure {
  const code = error.code ?? '';
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'timeout';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection-reset';
  if (/^ERR_SSL_(WRONG_VERSION_NUMBER|HTTP_REQUEST|HTTPS_PROXY_REQUEST|PACKET_LENGTH_TOO_LONG|RECORD_LENGTH_MISMATCH)$/.test(code))
    return 'not-tls';
  if (/^ERR_SSL_(UNSUPPORTED_PROTOCOL|VERSION_TOO_LOW|TLSV1_ALERT_PROTOCOL_VERSION|NO_PROTOCOLS_AVAILABLE)$/.test(code))
    return 'protocol-version';
  if (code === 'ERR_SSL_NO_SHARED_CIPHER' || code === 'ERR_SSL_NO_SHARED_SIGNATURE_ALGORITHMS') return 'no-shared-cipher';
  if (CERTIFICATE_ALERTS.test(code)) return 'client-rejected-certificate';
  if (/^ERR_SSL_(SSLV3|TLSV1|TLSV13)_ALERT_/.test(code)) return 'client-alert';
  return 'other';
}
