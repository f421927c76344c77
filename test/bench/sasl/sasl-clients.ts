// The client side of each SASL mechanism, as a sequence of tokens: what the benchmark's connections send
// in SaslAuthenticate. Each exchange is given the server's last token and answers the next one to send,
// or null when the client has nothing more to send (authenticated).
import fs from 'node:fs';
import kerberos from 'kerberos';
import type { SaslMechanismName } from '../../../gateway/common/sasl-mechanism-names.ts';
import { plainToken } from '../../harness/sasl/raw-sasl-client.ts';
import { ScramClient } from '../../harness/sasl/scram-client.ts';

export type SaslClientExchange = {
  /** `serverToken`: null before the first token. Resolves with the next token, or null when done. */
  next: (serverToken: Buffer | null) => Promise<Buffer | null>;
};

export type SaslClient = {
  mechanism: SaslMechanismName;
  start: () => SaslClientExchange;
};

/** A mechanism whose client sends one message and is done once the server accepts it. */
function singleMessage(mechanism: SaslMechanismName, message: Buffer): SaslClient {
  return {
    mechanism,
    start: () => {
      let sent = false;
      return { next: async () => (sent ? null : ((sent = true), message)) };
    },
  };
}

/** RFC 4616, authzid empty. */
export function plainClient(username: string, password: string): SaslClient {
  return singleMessage('PLAIN', plainToken(username, password));
}

/** RFC 7628 client initial response with a token made once (as a client caches its token until it expires). */
export function oauthbearerClient(token: string): SaslClient {
  return singleMessage('OAUTHBEARER', Buffer.from(`n,,\x01auth=Bearer ${token}\x01\x01`));
}

/**
 * RFC 4752 with the `kerberos` package's client (MIT libgssapi, credentials from KRB5CCNAME): context
 * tokens until the context is complete (mutual authentication, so the server's AP-REP completes it and
 * the client then sends an empty token), then the server's wrapped security-layer offer is unwrapped and
 * wrapped back as the answer (layer "none" and the server's own buffer size), and the server's final
 * empty token ends it. KRB5CCNAME is process-wide, so each exchange points it at its cache as it starts
 * (one exchange at a time per cache setting). `reuse`: the cache's service ticket serves every connection
 * after the first, as in a real client until the ticket expires. `new-ticket`: `cache.file` holds only a
 * TGT and each exchange starts from a fresh copy of it, so every connection also asks the KDC for a
 * service ticket.
 */
export function gssapiClient(service: string, host: string, cache: { file: string; tickets: 'reuse' | 'new-ticket' }): SaslClient {
  let copy: string | null = null;
  return {
    mechanism: 'GSSAPI',
    start: () => {
      if (cache.tickets === 'new-ticket') {
        if (copy) fs.rmSync(copy, { force: true });
        copy = `${cache.file}.${process.hrtime.bigint()}`;
        fs.copyFileSync(cache.file, copy);
      }
      process.env.KRB5CCNAME = `FILE:${copy ?? cache.file}`;
      let client: kerberos.KerberosClient | null = null;
      let phase: 'context' | 'layer' | 'done' = 'context';
      return {
        next: async (serverToken) => {
          const server = serverToken && serverToken.length > 0 ? serverToken.toString('base64') : '';
          if (phase === 'context') {
            client ??= await kerberos.initializeClient(`${service}@${host}`, { mechOID: kerberos.GSS_MECH_OID_KRB5 });
            const out = await client.step(server);
            if (client.contextComplete) phase = 'layer';
            // A complete context with nothing to send: the empty token asks the server for its offer.
            return Buffer.from(out ?? '', 'base64');
          }
          if (phase === 'layer') {
            if (!server) throw new Error('GSSAPI: the server sent no security-layer offer');
            const offer = await client!.unwrap(server);
            const reply = await client!.wrap(offer, { protect: false });
            phase = 'done';
            return Buffer.from(reply, 'base64');
          }
          return null;
        },
      };
    },
  };
}

/** RFC 5802/7677 with the test harness's SCRAM client: client-first, client-final, then the server's `v=` is checked. */
export function scramClient(mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', username: string, password: string): SaslClient {
  return {
    mechanism,
    start: () => {
      const client = new ScramClient(mechanism, username, password);
      let step = 0;
      return {
        next: async (serverToken) => {
          switch (step++) {
            case 0:
              return client.firstMessage();
            case 1:
              return client.finalMessage(serverToken!);
            default:
              client.verifyServerFinal(serverToken!);
              return null;
          }
        },
      };
    },
  };
}
