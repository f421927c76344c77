// The ConfigError a configuration text is refused with (the test fails if it is accepted).
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../../gateway/config/schema.ts';

export function refusalOf(text: string, file: string): ConfigError {
  try {
    parseConfig(text, file);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the configuration to be refused');
}
