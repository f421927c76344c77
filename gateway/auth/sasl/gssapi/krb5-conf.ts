// The default realm for Kafka's DEFAULT principal-to-local rule: krb5.conf's `[libdefaults]
// default_realm`, as the JVM reads it. Only that one relation is read; MIT parses the rest itself.
import fs from 'node:fs';

/** `default_realm` from the first of `files` that sets it (KRB5_CONFIG may list several, `:`-separated). */
export function readDefaultRealm(files: readonly string[]): string | undefined {
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // MIT skips a profile file that does not exist, and so do we
    }
    const realm = defaultRealmOf(text);
    if (realm !== undefined) return realm;
  }
  return undefined;
}

/** The `default_realm` of a krb5.conf text, or undefined. */
export function defaultRealmOf(text: string): string | undefined {
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([^\]]*)\]/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    if (section !== 'libdefaults') continue;
    const relation = /^default_realm\s*=\s*(\S+)/.exec(line);
    if (relation) return relation[1];
  }
  return undefined;
}

/** The realm of `primary[/instance]@REALM`, or undefined without `@`. */
export function realmOfPrincipal(principal: string): string | undefined {
  const at = principal.lastIndexOf('@');
  return at >= 0 && at < principal.length - 1 ? principal.slice(at + 1) : undefined;
}
