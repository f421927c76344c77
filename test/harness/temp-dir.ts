// Scratch folders for one test process, removed when it exits. A gateway's folder (its config and log)
// is still read after the gateway stops, so it cannot go with stop(); without this every test run left
// its gateways' and tools' folders behind in the system's temp folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

process.once('exit', () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new folder under the system's temp folder, named `prefix` + random characters, removed at exit. */
export function tempDirRemovedAtExit(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
