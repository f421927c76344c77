// After the whole suite (test/run.sh runs this file last): no secret any test used appears in any
// gateway process's log. The secrets are read from the test sources themselves (every password,
// passphrase, secret or token literal they hand to a client or a gateway), plus what a secret looks
// like whatever its value: a PEM private key, a JWT, a SCRAM client proof.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../harness/paths.ts';
import { SUITE_LOGS_ENV } from '../harness/processes.ts';

const logsDir = process.env[SUITE_LOGS_ENV];
const logs = logsDir !== undefined && fs.existsSync(logsDir) ? fs.readdirSync(logsDir).filter((f) => f.endsWith('.log')) : [];

/**
 * Literal secrets in the test sources: values of password/passphrase/clientSecret keys and constants,
 * and every string in a `PASSWORDS` table (the SASL tests' users).
 */
function testSecrets(): Set<string> {
  const secrets = new Set<string>();
  const named = /\b(?:password|passphrase|clientSecret|PASSWORD)\w*\s*[:=]\s*(['"])([^'"\n$]{6,})\1/g;
  const table = /\bPASSWORDS\b[^=\n]*=\s*\{([^}]*)\}/g;
  const quoted = /:\s*'((?:[^'\\\n]|\\.){6,})'/g;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const source = fs.readFileSync(full, 'utf8');
        for (const m of source.matchAll(named)) secrets.add(m[2]);
        for (const t of source.matchAll(table)) for (const q of t[1].matchAll(quoted)) secrets.add(q[1].replace(/\\(.)/g, '$1'));
      }
    }
  };
  walk(path.join(REPO_ROOT, 'test'));
  // A bare lower-case word ('secret') is also a topic or rule name in the logs; passwords here are not.
  return new Set([...secrets].filter((s) => !/^[a-z]+$/.test(s)));
}

const SECRET_SHAPES: Array<[string, RegExp]> = [
  ['a PEM private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
  ['a JWT', /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/],
  ['a SCRAM client proof', /,p=[A-Za-z0-9+/]{40,}={0,2}/],
];

test(
  'no test secret and nothing shaped like a secret is in any gateway log of the suite',
  { skip: logs.length === 0 ? `no suite logs: run by test/run.sh after every other test (${SUITE_LOGS_ENV})` : false },
  () => {
    const secrets = testSecrets();
    assert.ok(secrets.size >= 8, `the scan knows the tests' secrets (${secrets.size} found)`);
    assert.ok(logs.length >= 20, `logs of the suite's gateway processes were kept (${logs.length})`);
    const hits: string[] = [];
    let bytes = 0;
    for (const file of logs) {
      const text = fs.readFileSync(path.join(logsDir!, file), 'utf8');
      bytes += text.length;
      for (const secret of secrets) if (text.includes(secret)) hits.push(`${file}: the test secret '${secret}'`);
      for (const [what, shape] of SECRET_SHAPES)
        if (shape.test(text)) hits.push(`${file}: ${what} (${shape.exec(text)![0].slice(0, 40)}…)`);
    }
    assert.ok(bytes > 100_000, `the logs have content (${bytes} characters)`);
    assert.deepEqual(hits, []);
  },
);
