import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file so tests work from any working directory. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Git-ignored, reused between runs: Maven repository, resolved classpaths. */
export const CACHE_DIR = process.env.GATEHOUSE_CACHE_DIR ?? path.join(REPO_ROOT, '.cache');
