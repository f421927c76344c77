import fs from 'node:fs';
import { ConfigError, parseConfig, type GatewayConfig } from './schema.ts';

/** Reads and validates a config file; unreadable files are reported like invalid ones. */
export function loadConfigFile(file: string): GatewayConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, 0, 0, `cannot read the file: ${(err as Error).message}`);
  }
  return parseConfig(text, file);
}
