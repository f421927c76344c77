// The OAUTHBEARER client initial response (RFC 7628 §3.1) with the grammar Kafka's broker accepts
// (spec §4.6):  n,[a=<authzid>],^A auth=Bearer <token> ^A [<key>=<value> ^A]* ^A
// Parsed by hand rather than with one big regular expression so that hostile input costs linear time.

export type InitialResponse = {
  /** The authorization identity as sent (still in its saslname escaping, as Kafka compares it); '' when absent. */
  readonly authzid: string;
  /** The bearer token (a JWT for this gateway). */
  readonly token: string;
  /** Extensions other than `auth` (Kafka accepts every well-formed one). */
  readonly extensions: ReadonlyMap<string, string>;
};

export type InitialResponseParse =
  { readonly ok: true; readonly response: InitialResponse } | { readonly ok: false; readonly problem: string };

const SEPARATOR = '\x01';
/** saslname (RFC 5801): 0x01–0x7F but '=' and ',', which appear only as the escapes =2C and =3D. */
function isSaslname(text: string): boolean {
  if (text === '') return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) {
      const escape = text.slice(i, i + 3);
      if (escape !== '=2C' && escape !== '=3D') return false;
      i += 2;
    } else if (c === 0x00 || c === 0x2c || c > 0x7f) {
      return false;
    }
  }
  return true;
}
const KEY = /^[A-Za-z]+$/;
const VALUE = /^[\x21-\x7e \t\r\n]+$/;
// Kafka's `auth` value: a scheme of word characters, spaces, then a token of b64token characters with padding.
const AUTH = /^(\w+) +([-_~+/.a-zA-Z0-9]+=*)$/;

function malformed(problem: string): InitialResponseParse {
  return { ok: false, problem };
}

export function parseInitialResponse(bytes: Buffer): InitialResponseParse {
  // Every part of the grammar is US-ASCII; a byte above 0x7F can match nothing.
  for (const byte of bytes) if (byte > 0x7f) return malformed('non-ASCII byte');
  const text = bytes.toString('latin1');

  if (!text.startsWith('n,')) return malformed('GS2 header must start with "n,"');
  const headerEnd = text.indexOf(',', 2);
  if (headerEnd < 0) return malformed('GS2 header not terminated');
  const authzidPart = text.slice(2, headerEnd);
  let authzid = '';
  if (authzidPart !== '') {
    if (!authzidPart.startsWith('a=') || !isSaslname(authzidPart.slice(2))) return malformed('invalid authzid in GS2 header');
    authzid = authzidPart.slice(2);
  }

  const rest = text.slice(headerEnd + 1);
  if (!rest.startsWith(SEPARATOR) || !rest.endsWith(SEPARATOR) || rest.length < 2) return malformed('missing ^A separators');
  // Between the leading and the final separator: zero or more `key=value^A`.
  const pairs = rest.slice(1, -1);
  if (pairs !== '' && !pairs.endsWith(SEPARATOR)) return malformed('key/value pair not terminated');
  const properties = new Map<string, string>();
  for (const pair of pairs === '' ? [] : pairs.slice(0, -1).split(SEPARATOR)) {
    const eq = pair.indexOf('=');
    if (eq < 0) return malformed('key/value pair without "="');
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (!KEY.test(key) || !VALUE.test(value)) return malformed('invalid key/value pair');
    properties.set(key, value); // a repeated key: the last one counts, as in Kafka
  }

  const auth = properties.get('auth');
  if (auth === undefined) return malformed("'auth' not specified");
  properties.delete('auth');
  const match = AUTH.exec(auth);
  if (match === null) return malformed("invalid 'auth' format");
  if (match[1].toLowerCase() !== 'bearer') return malformed('scheme is not Bearer');
  return { ok: true, response: { authzid, token: match[2], extensions: properties } };
}
