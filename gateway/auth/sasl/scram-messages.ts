// The text messages of a SCRAM exchange (RFC 5802 §7), parsed strictly: anything malformed is an
// error string, never an exception. Only what Kafka accepts is accepted: the GS2 header `n` (no channel
// binding), attributes in the RFC's order, Kafka's alphabetic extension names (`tokenauth`).

export type ClientFirstMessage = {
  /** `n,` + optional `a=<authzid>` + `,`: what client-final's `c=` must carry, base64-encoded. */
  readonly gs2Header: string;
  /** The requested authorization identity, unescaped ('' when absent). */
  readonly authzid: string;
  /** The user name, unescaped. */
  readonly username: string;
  readonly nonce: string;
  readonly extensions: ReadonlyMap<string, string>;
  /** client-first-message-bare, exactly as sent: part of the signed AuthMessage. */
  readonly bare: string;
};

export type ClientFinalMessage = {
  /** The `c=` value as sent (base64 of the GS2 header). */
  readonly channelBinding: string;
  readonly nonce: string;
  readonly proof: Buffer;
  /** client-final-message-without-proof, exactly as sent: part of the signed AuthMessage. */
  readonly withoutProof: string;
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 5802 `printable`: %x21-2B / %x2D-7E (no comma). */
const NONCE = /^[\x21-\x2B\x2D-\x7E]+$/;
/** Kafka's extension grammar: `,<letters>=<value>` with a value of 7-bit characters other than the comma. */
// eslint-disable-next-line no-control-regex -- the RFC grammar for extension values starts at %x01
const EXTENSION = /^([A-Za-z]+)=([\x01-\x2B\x2D-\x7F]+)$/;

/** `=` and `,` may not appear raw in a saslname (RFC 5802 §5.1). */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The name inside a saslname; undefined when it is empty or escaped wrongly. */
export function unescapeSaslName(text: string): string | undefined {
  if (text === '' || text.includes('\u0000')) return undefined;
  let name = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '=') {
      name += text[i];
      continue;
    }
    const code = text.slice(i + 1, i + 3);
    if (code === '2C') name += ',';
    else if (code === '3D') name += '=';
    else return undefined;
    i += 2;
  }
  return name;
}

export function parseClientFirst(text: string): ClientFirstMessage | string {
  if (text.startsWith('y,') || text.startsWith('p=')) return 'channel binding is not supported (GS2 header must be n)';
  if (!text.startsWith('n,')) return 'client-first-message must start with the GS2 header n';
  const authzEnd = text.indexOf(',', 2);
  if (authzEnd < 0) return 'client-first-message has no GS2 header end';
  const authzField = text.slice(2, authzEnd);
  let authzid = '';
  if (authzField !== '') {
    const parsed = authzField.startsWith('a=') ? unescapeSaslName(authzField.slice(2)) : undefined;
    if (parsed === undefined) return 'malformed authorization id';
    authzid = parsed;
  }
  const gs2Header = text.slice(0, authzEnd + 1);
  const bare = text.slice(authzEnd + 1);
  const [nameField, nonceField, ...rest] = bare.split(',');
  // `m=` is reserved for a future mandatory extension: a server that does not know it must fail (RFC 5802 §5.1).
  if (nameField.startsWith('m=')) return 'mandatory extension (m=) is not supported';
  const username = nameField.startsWith('n=') ? unescapeSaslName(nameField.slice(2)) : undefined;
  if (username === undefined) return 'malformed or missing user name (n=)';
  if (nonceField === undefined || !nonceField.startsWith('r=') || !NONCE.test(nonceField.slice(2)))
    return 'malformed or missing nonce (r=)';
  const extensions = parseExtensions(rest);
  if (typeof extensions === 'string') return extensions;
  return { gs2Header, authzid, username, nonce: nonceField.slice(2), extensions, bare };
}

export function parseClientFinal(text: string): ClientFinalMessage | string {
  const proofAt = text.lastIndexOf(',p=');
  if (proofAt < 0) return 'client-final-message has no proof (p=)';
  const proofText = text.slice(proofAt + 3);
  if (proofText === '' || !BASE64.test(proofText)) return 'proof is not base64';
  const withoutProof = text.slice(0, proofAt);
  const [bindingField, nonceField, ...rest] = withoutProof.split(',');
  if (!bindingField.startsWith('c=') || bindingField.length === 2 || !BASE64.test(bindingField.slice(2)))
    return 'malformed channel binding (c=)';
  if (nonceField === undefined || !nonceField.startsWith('r=') || !NONCE.test(nonceField.slice(2)))
    return 'malformed or missing nonce (r=)';
  const extensions = parseExtensions(rest);
  if (typeof extensions === 'string') return extensions;
  return { channelBinding: bindingField.slice(2), nonce: nonceField.slice(2), proof: Buffer.from(proofText, 'base64'), withoutProof };
}

export function formatServerFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString('base64')},i=${iterations}`;
}

export function formatServerFinal(serverSignature: Buffer): string {
  return `v=${serverSignature.toString('base64')}`;
}

function parseExtensions(fields: string[]): Map<string, string> | string {
  const extensions = new Map<string, string>();
  for (const field of fields) {
    const match = EXTENSION.exec(field);
    if (!match) return 'malformed extension';
    extensions.set(match[1], match[2]);
  }
  return extensions;
}
