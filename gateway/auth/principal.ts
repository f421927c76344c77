// The session principal: a type and a name, compared as the string `Type:name` (spec §1.5).
// gateway/authz parses principal strings from policies; this is the minimal value type that `auth`
// produces (auth must not import authz). It is structurally compatible with authz's ParsedPrincipal.

export class KafkaPrincipal {
  static readonly USER_TYPE = 'User';
  /** PLAINTEXT listeners, and SSL listeners where the client presented no certificate. */
  static readonly ANONYMOUS = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, 'ANONYMOUS');

  constructor(
    readonly type: string,
    readonly name: string,
  ) {}

  static user(name: string): KafkaPrincipal {
    return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, name);
  }

  equals(other: { readonly type: string; readonly name: string }): boolean {
    return this.type === other.type && this.name === other.name;
  }

  toString(): string {
    return `${this.type}:${this.name}`;
  }
}
