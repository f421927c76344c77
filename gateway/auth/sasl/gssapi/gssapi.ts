// SASL GSSAPI (RFC 4752) acceptor as a Kafka broker runs it (spec §4.5): GSS context tokens until the
// context is established, then a wrapped 4-octet security-layer offer (no layer only), then the
// client's wrapped choice; the authenticated Kerberos name, mapped by the principal-to-local rules,
// becomes `User:<short name>`. The client's authorization identity is ignored, as Kafka ignores it.
import fs from 'node:fs';
import path from 'node:path';
import { KafkaPrincipal } from '../../../common/principal.ts';
import { InvalidKerberosRulesError, KerberosShortNamer } from '../../kerberos-name-rules.ts';
import type { AuthLog, SaslServerExchange, SaslServerMechanism, SaslStep } from '../mechanism.ts';
import { GssError, GssLibrary, type GssHandle } from './gss-library.ts';
import { readDefaultRealm, realmOfPrincipal } from './krb5-conf.ts';

/** The `authentication.gssapi` settings (same fields as the configuration's GssapiConfig). */
export type GssapiOptions = {
  /** The service keytab (MIT format) holding the key of `servicePrincipal`. */
  readonly keytab: string;
  /** The principal clients ask a ticket for (`kafka/host@REALM`); '' accepts any key of the keytab. */
  readonly servicePrincipal: string;
  /** Kafka's sasl.kerberos.principal.to.local.rules; empty means DEFAULT. */
  readonly principalToLocalRules: readonly string[];
  /** krb5.conf for the whole process (else KRB5_CONFIG or the system's). */
  readonly krb5Config: string | null;
};

/** RFC 4752 security-layer bit: no integrity or confidentiality layer (the only one Kafka offers). */
const NO_SECURITY_LAYER = 0x01;
/** The receive buffer size the JDK's GSSAPI server (Kafka's) offers: javax.security.sasl.maxbuffer's default. */
const OFFERED_MAX_BUFFER = 65536;

/** The library is loaded once per process (MIT's state is per process anyway). */
let library: GssLibrary | undefined;

export function gssapiMechanism(options: GssapiOptions, log: AuthLog): SaslServerMechanism {
  const keytab = readableFile(options.keytab, 'keytab');
  if (options.krb5Config !== null) {
    // Process-wide: MIT reads KRB5_CONFIG whenever it makes a krb5 context, for every Kerberos user of
    // this process. The gateway has one GSSAPI configuration, so it is set once, before any use.
    process.env.KRB5_CONFIG = readableFile(options.krb5Config, 'krb5Config');
  }
  const defaultRealm =
    readDefaultRealm((process.env.KRB5_CONFIG ?? '/etc/krb5.conf').split(':')) ?? realmOfPrincipal(options.servicePrincipal);
  if (defaultRealm === undefined) log.warn({ mechanism: 'GSSAPI' }, 'GSSAPI: no default realm known: the DEFAULT rule maps no name');
  const namer = shortNamer(defaultRealm ?? '', options.principalToLocalRules);

  library ??= GssLibrary.load();
  const lib = library;
  let credential = acquireCredential(lib, keytab, options.servicePrincipal);
  log.info(
    { mechanism: 'GSSAPI', servicePrincipal: options.servicePrincipal || '(any in keytab)', keytab, defaultRealm: defaultRealm ?? null },
    'GSSAPI acceptor ready',
  );
  return {
    name: 'GSSAPI',
    // The credential is only used inside one synchronous native call, so reading it at that moment is
    // enough for an exchange still running when the mechanism closes to refuse instead of using freed memory.
    start: () => new GssapiExchange(lib, () => credential, namer),
    close: () => {
      lib.releaseCredential(credential);
      credential = null;
    },
  };
}

function readableFile(file: string, what: string): string {
  const absolute = path.resolve(file);
  try {
    fs.accessSync(absolute, fs.constants.R_OK);
  } catch (err) {
    throw new Error(`GSSAPI: cannot read ${what} ${absolute}: ${(err as Error).message}`, { cause: err });
  }
  return absolute;
}

function shortNamer(defaultRealm: string, rules: readonly string[]): KerberosShortNamer {
  try {
    return KerberosShortNamer.fromRules(defaultRealm, rules.length === 0 ? ['DEFAULT'] : rules);
  } catch (err) {
    if (err instanceof InvalidKerberosRulesError) throw new Error(`GSSAPI: principalToLocalRules: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Registers the keytab and acquires the acceptor credential right after, in one synchronous block: the
 * registration is process-wide, but a credential keeps the keytab it was acquired with.
 */
function acquireCredential(lib: GssLibrary, keytab: string, servicePrincipal: string): GssHandle {
  let name: GssHandle = null;
  try {
    lib.registerAcceptorKeytab(keytab);
    if (servicePrincipal !== '') name = lib.importPrincipalName(servicePrincipal);
    return lib.acquireAcceptorCredential(name);
  } catch (err) {
    if (!(err instanceof GssError)) throw err;
    const what = servicePrincipal === '' ? 'any principal' : servicePrincipal;
    throw new Error(`GSSAPI: cannot accept for ${what} with keytab ${keytab}: ${err.message}`, { cause: err });
  } finally {
    lib.releaseName(name);
  }
}

type ExchangeState =
  /** Context tokens are being accepted. */
  | 'context'
  /** The AP-REP went out; the client answers with an empty token once its context is established. */
  | 'awaiting-empty'
  /** The security-layer offer went out; the client's wrapped choice comes next. */
  | 'awaiting-layer'
  | 'done';

class GssapiExchange implements SaslServerExchange {
  private state: ExchangeState = 'context';
  private gssContext: GssHandle = null;
  /** The authenticated Kerberos name (`alice@EXAMPLE.COM`), known once the context is established. */
  private kerberosName = '';
  private disposed = false;

  constructor(
    private readonly lib: GssLibrary,
    /** The mechanism's acceptor credential; null once the mechanism is closed. */
    private readonly credential: () => GssHandle,
    private readonly namer: KerberosShortNamer,
  ) {}

  evaluate(token: Buffer): Promise<SaslStep> {
    let step: SaslStep;
    try {
      step = this.step(token);
    } catch (err) {
      // A GSS error is the client's doing (bad or foreign ticket, bad wrap token); anything else is ours,
      // but still a refusal rather than a crash.
      step =
        err instanceof GssError
          ? { kind: 'failure', message: null, reason: `GSSAPI: ${err.message}`, transient: err.retriable }
          : { kind: 'failure', message: null, reason: `GSSAPI: internal error: ${(err as Error).message}` };
    }
    if (step.kind !== 'challenge') this.finish();
    return Promise.resolve(step);
  }

  dispose(): void {
    this.finish();
    this.disposed = true;
  }

  private step(token: Buffer): SaslStep {
    if (this.disposed) return this.refuse('the exchange is over');
    switch (this.state) {
      case 'context':
        return this.acceptContextToken(token);
      case 'awaiting-empty':
        // The JDK's server requires this message to be empty; so do we.
        if (token.length !== 0) return this.refuse('expected an empty token after the AP-REP');
        return this.offerSecurityLayer();
      case 'awaiting-layer':
        return this.verifyLayerChoice(token);
      case 'done':
        return this.refuse('the exchange is over');
    }
  }

  private acceptContextToken(token: Buffer): SaslStep {
    if (token.length === 0) return this.refuse('empty GSS context token');
    const credential = this.credential();
    if (credential === null) return this.refuse('the mechanism is closed');
    // A failed accept deletes whatever context is left; holding null meanwhile keeps dispose from freeing it twice.
    const previous = this.gssContext;
    this.gssContext = null;
    const accepted = this.lib.accept(previous, credential, token);
    this.gssContext = accepted.context;
    if (!accepted.established) {
      this.lib.releaseName(accepted.sourceName);
      return { kind: 'challenge', token: accepted.output };
    }
    try {
      this.kerberosName = this.lib.displayName(accepted.sourceName);
    } finally {
      this.lib.releaseName(accepted.sourceName);
    }
    if (accepted.output.length > 0) {
      // Mutual authentication: the AP-REP first, the offer after the client's empty answer.
      this.state = 'awaiting-empty';
      return { kind: 'challenge', token: accepted.output };
    }
    // No mutual authentication (the JDK client): nothing to send back but the offer itself.
    return this.offerSecurityLayer();
  }

  private offerSecurityLayer(): SaslStep {
    const offer = Buffer.alloc(4);
    offer.writeUInt32BE(OFFERED_MAX_BUFFER);
    offer[0] = NO_SECURITY_LAYER;
    this.state = 'awaiting-layer';
    return { kind: 'challenge', token: this.lib.wrap(this.gssContext, offer) };
  }

  private verifyLayerChoice(token: Buffer): SaslStep {
    const choice = this.lib.unwrap(this.gssContext, token);
    if (choice.length < 4) return this.refuse(`security-layer reply of ${choice.length} bytes (at least 4 expected)`);
    if (choice[0] !== NO_SECURITY_LAYER)
      return this.refuse(`client chose security layer 0x${choice[0].toString(16)}, only 0x01 (none) is offered`);
    // Octets 5.. are the authorization identity: ignored, the authenticated name is what counts (as in Kafka).
    let shortName: string;
    try {
      shortName = this.namer.shortName(this.kerberosName);
    } catch (err) {
      return this.refuse(`${this.kerberosName}: ${(err as Error).message}`);
    }
    this.state = 'done';
    return { kind: 'success', token: null, principal: KafkaPrincipal.user(shortName), credentialExpiresAtMs: null };
  }

  private refuse(reason: string): SaslStep {
    this.state = 'done';
    return { kind: 'failure', message: null, reason: `GSSAPI: ${reason}` };
  }

  /** Frees the GSS context as soon as it is no longer needed. */
  private finish(): void {
    this.state = 'done';
    const context = this.gssContext;
    this.gssContext = null;
    this.lib.deleteContext(context);
  }
}
