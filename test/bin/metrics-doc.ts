// Rewrites the README's metrics reference from the gateway's registry (npm run gen:metrics-doc).
import fs from 'node:fs';
import path from 'node:path';
import { withMetricsReference } from '../../gateway/observability/metrics-reference.ts';

const readme = path.resolve(import.meta.dirname, '../../README.md');
fs.writeFileSync(readme, withMetricsReference(fs.readFileSync(readme, 'utf8')));
console.log(`metrics reference written to ${path.relative(process.cwd(), readme)}`);
