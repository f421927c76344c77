// Builds the SASL mechanisms the listeners enable, once for the whole gateway, from the
// `authentication` section (the composition root: auth cannot read the configuration itself). Only
// mechanisms some listener enables are built, so an unused section costs nothing; a mechanism that
// cannot be built (a keytab that does not load, a bad credential file) refuses the start.
import { CredentialStore } from '../auth/credentials/credential-store.ts';
import { gssapiMechanism } from '../auth/sasl/gssapi/gssapi.ts';
import type { AuthLog, SaslMechanismName, SaslServerMechanism } from '../auth/sasl/mechanism.ts';
import { oauthbearerMechanism } from '../auth/sasl/oauthbearer/oauthbearer.ts';
import { plainMechanism } from '../auth/sasl/plain.ts';
import { scramMechanism } from '../auth/sasl/scram.ts';
import type { AuthenticationConfig, ListenerConfig } from '../config/schema.ts';

export type SaslMechanisms = {
  readonly byName: ReadonlyMap<SaslMechanismName, SaslServerMechanism>;
  /** Releases the mechanisms and the credential store. */
  close(): void;
};

/** Thrown with the configuration key at fault, so the caller can point at its line. */
export class SaslMechanismError extends Error {
  constructor(
    readonly section: keyof AuthenticationConfig,
    message: string,
  ) {
    super(message);
    this.name = 'SaslMechanismError';
  }
}

export async function buildSaslMechanisms(
  config: AuthenticationConfig,
  listeners: readonly ListenerConfig[],
  log: AuthLog,
): Promise<SaslMechanisms> {
  const wanted = new Set(listeners.flatMap((l) => l.sasl?.mechanisms ?? []));
  const byName = new Map<SaslMechanismName, SaslServerMechanism>();
  let store: CredentialStore | null = null;
  const close = () => {
    for (const m of byName.values()) m.close?.();
    store?.close();
  };
  const build = async (name: SaslMechanismName, section: keyof AuthenticationConfig, make: () => Promise<SaslServerMechanism>) => {
    try {
      byName.set(name, await make());
    } catch (err) {
      close();
      const message = (err as Error).message;
      // Factories name their mechanism already ("GSSAPI: cannot read keytab …"): prefix only the others.
      throw new SaslMechanismError(section, message.startsWith(`${name}: `) ? message : `${name}: ${message}`);
    }
  };
  const credentials = async (): Promise<CredentialStore> => {
    const file = config.credentials?.file;
    // The configuration refuses a listener enabling these mechanisms without the section.
    if (file === undefined) throw new Error('authentication.credentials is missing');
    return (store ??= await CredentialStore.open({ file }, log));
  };
  for (const name of wanted) {
    switch (name) {
      case 'PLAIN':
        await build(name, 'credentials', async () => plainMechanism(await credentials()));
        break;
      case 'SCRAM-SHA-256':
      case 'SCRAM-SHA-512':
        await build(name, 'credentials', async () => scramMechanism(name, await credentials()));
        break;
      case 'GSSAPI':
        await build(name, 'gssapi', () => Promise.resolve(gssapiMechanism(config.gssapi!, log)));
        break;
      case 'OAUTHBEARER':
        await build(name, 'oauthbearer', () => Promise.resolve(oauthbearerMechanism(config.oauthbearer!, log)));
        break;
    }
  }
  return { byName, close };
}

/** A listener's mechanisms, in the order its configuration lists them (SaslHandshake answers in that order). */
export function listenerMechanisms(
  all: ReadonlyMap<SaslMechanismName, SaslServerMechanism>,
  names: readonly SaslMechanismName[],
): Map<SaslMechanismName, SaslServerMechanism> {
  return new Map(names.map((n) => [n, all.get(n)!]));
}
