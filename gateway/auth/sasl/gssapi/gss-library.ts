// The few GSS-API calls a Kerberos acceptor needs, on MIT's libgssapi_krb5.so.2 through koffi (the
// `kerberos` package's server has no gss_wrap/gss_unwrap, which RFC 4752's security-layer step needs).
// Every call here is synchronous and short (no KDC round trip on the acceptor side: the ticket is
// decrypted with the keytab's key), so it is fine on the event loop.
//
// Process-wide state (MIT keeps it per process, not per handle):
// - the acceptor keytab: krb5_gss_register_acceptor_identity names it for every acceptor credential
//   acquired afterwards anywhere in the process (it overrides KRB5_KTNAME); a credential keeps the
//   keytab it was acquired with, so register-then-acquire in one synchronous block binds them;
// - krb5.conf: MIT reads KRB5_CONFIG whenever it creates a krb5 context, so setting it changes the
//   configuration of every Kerberos user in the process (initiators included).
import koffi, { type LibraryHandle } from 'koffi';

export const GSS_LIBRARY_NAME = 'libgssapi_krb5.so.2';

/** GSS major status: routine and calling errors live in the top 16 bits (GSS_ERROR in gssapi.h). */
const GSS_S_COMPLETE = 0;
const GSS_S_CONTINUE_NEEDED = 1;
const GSS_ERROR_MASK = 0xffff0000;
const GSS_C_GSS_CODE = 1;
const GSS_C_MECH_CODE = 2;
const GSS_C_ACCEPT = 2;
const GSS_C_INDEFINITE = 0xffffffff;

/** krb5 error codes (ERROR_TABLE_BASE_krb5 + n) that Kafka's KerberosError calls retriable. */
const KRB5_ERROR_BASE = -1765328384;
const RETRIABLE_KRB5_MINORS: ReadonlySet<number> = new Set(
  [21 /* KDC_ERR_CLIENT_NOTYET */, 33 /* AP_ERR_TKT_NYV */, 34 /* AP_ERR_REPEAT (replay) */].map((n) => (KRB5_ERROR_BASE + n) >>> 0),
);

/** An opaque GSS handle (gss_name_t, gss_cred_id_t, gss_ctx_id_t): a native pointer, null for "none". */
export type GssHandle = bigint | null;

/** A GSS call failed: `major`/`minor` are the status codes, the message is MIT's text for both. */
export class GssError extends Error {
  constructor(
    readonly call: string,
    readonly major: number,
    readonly minor: number,
    text: string,
  ) {
    super(`${call}: ${text}`);
  }

  /** Clock-skew and replay errors a client may retry (Kafka closes without a 58 answer for these). */
  get retriable(): boolean {
    return RETRIABLE_KRB5_MINORS.has(this.minor);
  }
}

export type AcceptStep = {
  /** The context handle to pass to the next call (and to delete in the end). */
  context: GssHandle;
  /** The token to send back (AP-REP when the client asked for mutual authentication); may be empty. */
  output: Buffer;
  /** True when the context is established (GSS_S_COMPLETE); else more tokens are needed. */
  established: boolean;
  /** The initiator's name once established (release it with releaseName). */
  sourceName: GssHandle;
};

// gss_buffer_desc and gss_OID_desc from gssapi.h (the platform ABI gives the padding). Anonymous:
// koffi's type names are global to the process.
const GssBufferDesc = koffi.struct({ length: 'size_t', value: 'void *' });
const GssOidDesc = koffi.struct({ length: 'uint32_t', elements: 'void *' });

type NativeBuffer = { length: number | bigint; value: bigint | null };
type NativeOid = { length: number; elements: bigint | null };

/** Copies a GSS output buffer into a Node Buffer (the native one is released by the caller). */
function copyOut(buffer: NativeBuffer): Buffer {
  const length = Number(buffer.length);
  if (length === 0 || buffer.value === null) return Buffer.alloc(0);
  return Buffer.from(new Uint8Array(koffi.view(buffer.value, length)));
}

/** An input gss_buffer_desc pointing at a Node Buffer for the length of one call. */
function inputBuffer(bytes: Buffer): { length: number; value: Buffer | null } {
  return { length: bytes.length, value: bytes.length === 0 ? null : bytes };
}

export class GssLibrary {
  private constructor(
    private readonly fn: Record<NativeName, NativeCall>,
    /** GSS_KRB5_NT_PRINCIPAL_NAME: `primary/instance@REALM` names. */
    private readonly krb5PrincipalNameType: NativeOid,
    /** gss_mech_set_krb5: credentials limited to Kerberos V5, so SPNEGO is never negotiated. */
    private readonly krb5MechSet: bigint,
  ) {}

  /** Loads MIT's libgssapi_krb5.so.2; throws an Error naming the library and how to install it. */
  static load(file = GSS_LIBRARY_NAME): GssLibrary {
    let lib: LibraryHandle;
    try {
      lib = koffi.load(file);
    } catch (err) {
      throw new Error(`GSSAPI: cannot load ${file} (MIT Kerberos; Debian/Ubuntu package libgssapi-krb5-2): ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      const fn = bind(lib);
      // The exported variables hold pointers (a gss_OID, a gss_OID_set) to MIT's static descriptors.
      const oidPointer = koffi.decode(lib.symbol('GSS_KRB5_NT_PRINCIPAL_NAME'), 'void *') as bigint;
      const oid = koffi.decode(oidPointer, GssOidDesc) as NativeOid;
      const mechSet = koffi.decode(lib.symbol('gss_mech_set_krb5'), 'void *') as bigint;
      return new GssLibrary(fn, oid, mechSet);
    } catch (err) {
      throw new Error(`GSSAPI: ${file} lacks a needed symbol: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Makes `keytab` the acceptor keytab of the whole process (see the header). */
  registerAcceptorKeytab(keytab: string): void {
    const major = this.fn.registerAcceptorIdentity(keytab);
    if (major !== GSS_S_COMPLETE) throw this.error('krb5_gss_register_acceptor_identity', major, 0);
  }

  /** gss_import_name of a Kerberos principal name (`kafka/host@REALM`). */
  importPrincipalName(principal: string): GssHandle {
    const minor = [0];
    const out: GssHandle[] = [null];
    const text = Buffer.from(principal, 'utf8');
    const major = this.fn.importName(minor, inputBuffer(text), this.krb5PrincipalNameType, out);
    this.check('gss_import_name', major, minor[0]);
    return out[0];
  }

  /**
   * A Kerberos V5 acceptor credential from the registered keytab: for `name` only (fails when the keytab
   * has no key for it), or for any key of the keytab when `name` is null (the default acceptor).
   */
  acquireAcceptorCredential(name: GssHandle): GssHandle {
    const minor = [0];
    const out: GssHandle[] = [null];
    const major = this.fn.acquireCred(minor, name, GSS_C_INDEFINITE, this.krb5MechSet, GSS_C_ACCEPT, out, null, null);
    this.check('gss_acquire_cred', major, minor[0]);
    return out[0];
  }

  /** One gss_accept_sec_context step with a credential from acquireAcceptorCredential. */
  accept(context: GssHandle, credential: GssHandle, token: Buffer): AcceptStep {
    const minor = [0];
    const ctx: GssHandle[] = [context];
    const sourceName: GssHandle[] = [null];
    const output: NativeBuffer = { length: 0, value: null };
    const major = this.fn.acceptSecContext(minor, ctx, credential, inputBuffer(token), null, sourceName, null, output, null, null, null);
    const bytes = this.take(output);
    if ((major & GSS_ERROR_MASK) >>> 0 !== 0) {
      // Whatever context the failed call left is deleted here (MIT may have deleted it and nulled the
      // handle already); the caller must not delete the handle it passed in.
      this.deleteContext(ctx[0]);
      throw this.error('gss_accept_sec_context', major, minor[0]);
    }
    return { context: ctx[0], output: bytes, established: (major & GSS_S_CONTINUE_NEEDED) === 0, sourceName: sourceName[0] };
  }

  /** The printable form of a name (`alice@EXAMPLE.COM`). */
  displayName(name: GssHandle): string {
    const minor = [0];
    const output: NativeBuffer = { length: 0, value: null };
    const major = this.fn.displayName(minor, name, output, null);
    const text = this.take(output).toString('utf8');
    this.check('gss_display_name', major, minor[0]);
    return text;
  }

  /** gss_wrap with integrity only (no confidentiality), as RFC 4752's security-layer messages use. */
  wrap(context: GssHandle, message: Buffer): Buffer {
    const minor = [0];
    const output: NativeBuffer = { length: 0, value: null };
    const major = this.fn.wrap(minor, context, 0, 0, inputBuffer(message), null, output);
    const bytes = this.take(output);
    this.check('gss_wrap', major, minor[0]);
    return bytes;
  }

  /** gss_unwrap: verifies the token's integrity and returns the message it carries. */
  unwrap(context: GssHandle, token: Buffer): Buffer {
    const minor = [0];
    const output: NativeBuffer = { length: 0, value: null };
    const major = this.fn.unwrap(minor, context, inputBuffer(token), output, null, null);
    const bytes = this.take(output);
    this.check('gss_unwrap', major, minor[0]);
    return bytes;
  }

  releaseName(name: GssHandle): void {
    if (name !== null) this.fn.releaseName([0], [name]);
  }

  releaseCredential(credential: GssHandle): void {
    if (credential !== null) this.fn.releaseCred([0], [credential]);
  }

  deleteContext(context: GssHandle): void {
    if (context !== null) this.fn.deleteSecContext([0], [context], null);
  }

  /** MIT's text for a status: the GSS routine error, then the mechanism (krb5) detail. */
  statusText(major: number, minor: number): string {
    const parts = [...this.statusMessages(major, GSS_C_GSS_CODE)];
    if (minor !== 0) parts.push(...this.statusMessages(minor, GSS_C_MECH_CODE));
    return parts.join('; ') || `major 0x${(major >>> 0).toString(16)}, minor ${minor}`;
  }

  private *statusMessages(status: number, type: number): Generator<string> {
    const messageContext = [0];
    // gss_display_status returns one message per call until the context goes back to 0.
    for (let i = 0; i < 8; i++) {
      const output: NativeBuffer = { length: 0, value: null };
      const major = this.fn.displayStatus([0], status >>> 0, type, null, messageContext, output);
      const text = this.take(output).toString('utf8');
      if (major !== GSS_S_COMPLETE) return;
      if (text !== '') yield text;
      if (messageContext[0] === 0) return;
    }
  }

  private take(buffer: NativeBuffer): Buffer {
    if (buffer.value === null) return Buffer.alloc(0);
    const bytes = copyOut(buffer);
    this.fn.releaseBuffer([0], buffer);
    return bytes;
  }

  private check(call: string, major: number, minor: number): void {
    if ((major & GSS_ERROR_MASK) >>> 0 !== 0) throw this.error(call, major, minor);
  }

  private error(call: string, major: number, minor: number): GssError {
    return new GssError(call, major >>> 0, minor >>> 0, this.statusText(major, minor));
  }
}

/** A bound native function: every GSS call returns its OM_uint32 major status. */
type NativeCall = (...args: unknown[]) => number;

/** The prototypes, from MIT's gssapi.h and gssapi_krb5.h (handles as `void *`, OM_uint32 as uint32). */
function bind(lib: LibraryHandle): Record<NativeName, NativeCall> {
  const buffer = koffi.pointer(GssBufferDesc);
  const oid = koffi.pointer(GssOidDesc);
  const calls: Record<NativeName, unknown> = {
    registerAcceptorIdentity: lib.func('krb5_gss_register_acceptor_identity', 'uint32_t', ['str']),
    importName: lib.func('gss_import_name', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      buffer,
      oid,
      koffi.out(koffi.pointer('void *')),
    ]),
    acquireCred: lib.func('gss_acquire_cred', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      'void *', // desired_name
      'uint32_t', // time_req
      'void *', // desired_mechs
      'int', // cred_usage
      koffi.out(koffi.pointer('void *')),
      'void *', // actual_mechs (not wanted)
      'void *', // time_rec (not wanted)
    ]),
    acceptSecContext: lib.func('gss_accept_sec_context', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      koffi.inout(koffi.pointer('void *')), // context_handle
      'void *', // acceptor_cred_handle
      buffer, // input_token
      'void *', // input_chan_bindings (none)
      koffi.out(koffi.pointer('void *')), // src_name
      'void *', // mech_type (not wanted)
      koffi.out(buffer), // output_token
      'void *', // ret_flags (not wanted)
      'void *', // time_rec (not wanted)
      'void *', // delegated_cred_handle (not wanted)
    ]),
    displayName: lib.func('gss_display_name', 'uint32_t', [koffi.out(koffi.pointer('uint32_t')), 'void *', koffi.out(buffer), 'void *']),
    wrap: lib.func('gss_wrap', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      'void *', // context_handle
      'int', // conf_req_flag
      'uint32_t', // qop_req
      buffer, // input_message
      'void *', // conf_state (not wanted)
      koffi.out(buffer), // output_message
    ]),
    unwrap: lib.func('gss_unwrap', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      'void *', // context_handle
      buffer, // input_message
      koffi.out(buffer), // output_message
      'void *', // conf_state (not wanted)
      'void *', // qop_state (not wanted)
    ]),
    displayStatus: lib.func('gss_display_status', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      'uint32_t', // status_value
      'int', // status_type
      'void *', // mech_type (default)
      koffi.inout(koffi.pointer('uint32_t')), // message_context
      koffi.out(buffer), // status_string
    ]),
    releaseBuffer: lib.func('gss_release_buffer', 'uint32_t', [koffi.out(koffi.pointer('uint32_t')), koffi.inout(buffer)]),
    releaseName: lib.func('gss_release_name', 'uint32_t', [koffi.out(koffi.pointer('uint32_t')), koffi.inout(koffi.pointer('void *'))]),
    releaseCred: lib.func('gss_release_cred', 'uint32_t', [koffi.out(koffi.pointer('uint32_t')), koffi.inout(koffi.pointer('void *'))]),
    deleteSecContext: lib.func('gss_delete_sec_context', 'uint32_t', [
      koffi.out(koffi.pointer('uint32_t')),
      koffi.inout(koffi.pointer('void *')),
      'void *', // output_token (GSS_C_NO_BUFFER)
    ]),
  };
  return calls as Record<NativeName, NativeCall>;
}

type NativeName =
  | 'registerAcceptorIdentity'
  | 'importName'
  | 'acquireCred'
  | 'acceptSecContext'
  | 'displayName'
  | 'wrap'
  | 'unwrap'
  | 'displayStatus'
  | 'releaseBuffer'
  | 'releaseName'
  | 'releaseCred'
  | 'deleteSecContext';
