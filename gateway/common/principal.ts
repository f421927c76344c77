// The one principal type: a type and a name, compared as the string `Type:name` (spec §1.5). Auth
// produces it (certificates, IP identities, SASL), authz parses policy principals with the same rules,
// and the configuration validates principal strings with them. A leaf module: it imports nothing of
// the gateway. The type is everything before the first colon, so names may contain colons (DNs).

export const DEFAULT_PRINCIPAL_TYPE = 'User';

export class KafkaPrincipal {
  static readonly USER_TYPE = DEFAULT_PRINCIPAL_TYPE;
  /** PLAINTEXT listeners, and SSL listeners where the client presented no certificate. */
  static readonly ANONYMOUS = new KafkaPrincipal(DEFAULT_PRINCIPAL_TYPE, 'ANONYMOUS');

  constructor(
    readonly type: string,
    readonly name: string,
  ) {}

  static user(name: string): KafkaPrincipal {
    return new KafkaPrincipal(DEFAULT_PRINCIPAL_TYPE, name);
  }

  equals(other: { readonly type: string; readonly name: string }): boolean {
    return this.type === other.type && this.name === other.name;
  }

  toString(): string {
    return `${this.type}:${this.name}`;
  }
}

/** Splits `Type:name`; undefined when there is no colon or either side is empty. */
export function parsePrincipal(text: string): KafkaPrincipal | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return new KafkaPrincipal(text.slice(0, colon), text.slice(colon + 1));
}

/** The reason a principal string is malformed, or undefined when it is fine. */
export function principalProblem(text: string): string | undefined {
  if (text.trim() !== text) return `principal '${text}' has leading or trailing spaces`;
  if (parsePrincipal(text) === undefined) return `malformed principal '${text}': expected Type:name, e.g. User:alice`;
  return undefined;
}
