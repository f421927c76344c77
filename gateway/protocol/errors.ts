// The one error type of the protocol layer. Every malformed input (and every object the encoder cannot
// represent) surfaces as a ProtocolError whose `path` names the field, e.g.
// `ProduceRequest v9: topicData[0].partitionData[1].records`. Anything else thrown from this folder is a bug.

export type ProtocolErrorKind =
  | 'truncated' // fewer bytes than a field needs
  | 'invalid-length' // negative / oversized length or count, null where not nullable
  | 'varint-overflow'
  | 'invalid-utf8'
  | 'trailing-bytes' // bytes left after the message
  | 'invalid-value' // a value the encoder cannot write (type, range, unrepresentable in the version)
  | 'unknown-api' // api key the tables do not know
  | 'unsupported-version'; // version outside the api's (or header's) valid versions

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly kind: ProtocolErrorKind;
  readonly reason: string;
  /** Where in the message: `field[3].child`; empty when the error concerns the whole frame. */
  path: string;

  constructor(kind: ProtocolErrorKind, reason: string, path = '') {
    super(path ? `${path}: ${reason}` : reason);
    this.kind = kind;
    this.reason = reason;
    this.path = path;
  }

  /** Prefixes the path with an enclosing field name (`name`) or array index (`[3]`). */
  within(segment: string): this {
    if (segment) {
      this.path = this.path === '' ? segment : this.path.startsWith('[') ? segment + this.path : `${segment}.${this.path}`;
      this.message = `${this.path}: ${this.reason}`;
    }
    return this;
  }

  /** Prefixes the path with a message label, e.g. `ProduceRequest v9: `. */
  inMessage(label: string): this {
    this.path = this.path ? `${label}: ${this.path}` : label;
    this.message = `${this.path}: ${this.reason}`;
    return this;
  }
}

export const truncated = (need: number, have: number): ProtocolError => new ProtocolError('truncated', `needs ${need} bytes, ${have} left`);
