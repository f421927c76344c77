// Loading a listener's TLS material with CRLs made by the project's certificate tool: a CRL OpenSSL
// would use to refuse every client (expired, not yet valid, issued or signed by a CA that is not a
// configured client CA, or a client CA left without a CRL) is refused with the file and the reason;
// a reload that fails keeps the material in force; the expiry state of a CRL over time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkCrls } from '../../../gateway/auth/crl.ts';
import {
  crlState,
  loadTlsMaterial,
  TlsMaterialError,
  TlsMaterialWatcher,
  type CrlInForce,
  type ReloadResult,
  type TlsMaterialSpec,
} from '../../../gateway/net/tls-material.ts';
import { writeCrl } from '../../harness/crls.ts';
import { createTestPki, type TestPki } from '../../harness/pki.ts';

const DAY = 86_400_000;
let pki: TestPki;
let crlFile: string;
let spec: TlsMaterialSpec;

before(() => {
  pki = createTestPki();
  crlFile = path.join(pki.dir, 'live.crl.pem');
  spec = {
    server: { kind: 'pem', certificateFile: pki.file(pki.server.certFile), keyFile: pki.file(pki.server.keyFile), keyPassword: null },
    minVersion: 'TLSv1.2',
    ciphers: null,
    clientAuth: 'required',
    clientCaFile: pki.file('ca/ca.crt'),
    crlFiles: [crlFile],
    checkCrls,
  };
});
after(() => pki.cleanup());

function refusal(s: TlsMaterialSpec): TlsMaterialError {
  try {
    loadTlsMaterial(s);
  } catch (err) {
    assert.ok(err instanceof TlsMaterialError, String(err));
    return err;
  }
  assert.fail('the material was accepted');
}

describe('CRLs at load', () => {
  test('a current CRL of the client CA is accepted and reported with its issuer and nextUpdate', () => {
    const nextUpdate = writeCrl(pki.ca, crlFile, { days: 7 });
    const m = loadTlsMaterial(spec);
    assert.equal(m.crls.length, 1);
    assert.equal(m.crls[0].file, crlFile);
    assert.equal(m.crls[0].issuer, 'CN=Gatehouse Test CA,O=Gatehouse Tests');
    assert.equal(m.crls[0].nextUpdate?.getTime(), nextUpdate.getTime());
    assert.equal((m.options.crl as Buffer[]).length, 1);
  });

  test('an expired CRL is refused, naming the file and when it expired', () => {
    const nextUpdate = writeCrl(pki.ca, crlFile, { thisUpdate: new Date(Date.now() - 10 * DAY), days: 1 });
    const err = refusal(spec);
    assert.equal(err.file, crlFile);
    assert.match(err.message, new RegExp(`expired on ${nextUpdate.toISOString().replace(/[.]/g, '\\.')}`));
  });

  test('a CRL that is not valid yet is refused', () => {
    writeCrl(pki.ca, crlFile, { thisUpdate: new Date(Date.now() + DAY), days: 7 });
    assert.match(refusal(spec).message, /not valid before/);
  });

  test("another CA's CRL is refused: it is not a configured client CA", () => {
    writeCrl(pki.stranger, crlFile, { days: 7 });
    const err = refusal(spec);
    assert.equal(err.file, crlFile);
    assert.match(err.message, /issued by 'CN=Stranger CA', which is not a client CA/);
  });

  test("a CRL in the client CA's name signed with another key is refused", () => {
    writeCrl(pki.ca, crlFile, { days: 7, signer: pki.stranger });
    assert.match(refusal(spec).message, /signature does not verify with the key of client CA 'CN=Gatehouse Test CA,O=Gatehouse Tests'/);
  });

  test('every client CA needs a CRL once CRLs are configured; a file may hold several CRLs', () => {
    const bundle = path.join(pki.dir, 'two-cas.pem');
    fs.writeFileSync(
      bundle,
      fs.readFileSync(pki.file('ca/ca.crt'), 'utf8') + fs.readFileSync(path.join(pki.stranger.dir, 'ca/ca.crt'), 'utf8'),
    );
    writeCrl(pki.ca, crlFile, { days: 7 });
    const err = refusal({ ...spec, clientCaFile: bundle });
    assert.equal(err.file, bundle);
    assert.match(err.message, /client CA 'CN=Stranger CA' has no CRL/);

    const both = path.join(pki.dir, 'both.crl.pem');
    const strangerCrl = path.join(pki.dir, 'stranger.crl.pem');
    writeCrl(pki.stranger, strangerCrl, { days: 3 });
    fs.writeFileSync(both, fs.readFileSync(crlFile, 'utf8') + fs.readFileSync(strangerCrl, 'utf8'));
    const m = loadTlsMaterial({ ...spec, clientCaFile: bundle, crlFiles: [both] });
    assert.deepEqual(m.crls.map((c) => c.issuer).sort(), ['CN=Gatehouse Test CA,O=Gatehouse Tests', 'CN=Stranger CA']);
    assert.equal((m.options.crl as Buffer[]).length, 2, 'each CRL reaches OpenSSL (Node reads one per buffer)');
  });

  test('a reload that meets an expired CRL keeps the material in force and reports the file', () => {
    writeCrl(pki.ca, crlFile, { days: 7 });
    const results: ReloadResult[] = [];
    const watcher = new TlsMaterialWatcher(spec, (r) => results.push(r));
    try {
      const good = watcher.current;
      writeCrl(pki.ca, crlFile, { thisUpdate: new Date(Date.now() - 3 * DAY), days: 2 });
      const result = watcher.reload('SIGHUP');
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.error.file, crlFile);
      assert.equal(watcher.current, good);
      writeCrl(pki.ca, crlFile, { days: 7 });
      assert.equal(watcher.reload('SIGHUP').ok, true);
      assert.notEqual(watcher.current, good);
      assert.equal(results.length, 2);
    } finally {
      watcher.close();
    }
  });
});

test('a CRL is valid, then expiring for the last quarter of its validity (or a configured window), then expired', () => {
  const crl: CrlInForce = {
    file: 'f',
    issuer: 'CN=x',
    thisUpdate: new Date('2026-01-01T00:00:00Z'),
    nextUpdate: new Date('2026-01-05T00:00:00Z'),
  };
  const at = (iso: string, window: number | null = null) => crlState(crl, new Date(iso), window);
  assert.deepEqual(at('2026-01-03T23:59:59Z'), { state: 'valid', changesAt: new Date('2026-01-04T00:00:00Z') });
  assert.deepEqual(at('2026-01-04T00:00:00Z'), { state: 'expiring', changesAt: crl.nextUpdate });
  assert.deepEqual(at('2026-01-05T00:00:00Z'), { state: 'expired', changesAt: null });
  assert.equal(at('2026-01-02T00:00:00Z', 3 * DAY).state, 'expiring');
  assert.equal(at('2026-01-04T12:00:00Z', 3_600_000).state, 'valid');
  assert.deepEqual(crlState({ ...crl, nextUpdate: null }, new Date('2030-01-01T00:00:00Z'), null), { state: 'valid', changesAt: null });
});
