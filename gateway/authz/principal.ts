// Principals are compared as the string `Type:name` (spec §1.5): the type is everything before the
// first colon, so names may themselves contain colons (e.g. DNs).

export const DEFAULT_PRINCIPAL_TYPE = 'User';

export interface ParsedPrincipal {
  readonly type: string;
  readonly name: string;
}

/** Splits `Type:name`; undefined when there is no colon or either side is empty. */
export function parsePrincipal(text: string): ParsedPrincipal | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) return undefined;
  return { type: text.slice(0, colon), name: text.slice(colon + 1) };
}

/** The reason a principal string is malformed, or undefined when it is fine. */
export function principalProblem(text: string): string | undefined {
  if (text.trim() !== text) return `principal '${text}' has leading or trailing spaces`;
  if (parsePrincipal(text) === undefined) {
    return `malformed principal '${text}': expected Type:name, e.g. User:alice`;
  }
  return undefined;
}
