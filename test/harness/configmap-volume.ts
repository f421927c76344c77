// A Kubernetes ConfigMap or Secret volume, laid out and updated the way the kubelet's atomic writer does:
//   <dir>/..2026_12_01_10_00_00.1234/<name>   the files of one version
//   <dir>/..data -> ..2026_12_01_10_00_00.1234
//   <dir>/<name> -> ..data/<name>            what the pod's config points at; never changes
// An update writes a new timestamped directory, points `..data_tmp` at it, renames `..data_tmp` over
// `..data` (the one atomic step), adds or removes the visible links, then deletes the old directory.
import fs from 'node:fs';
import path from 'node:path';

let versions = 0;

export class ConfigMapVolume {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** The path a pod reads `name` at (a symlink through `..data`). */
  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** The timestamped directory `..data` points at now (undefined before the first write). */
  current(): string | undefined {
    try {
      return path.join(this.dir, fs.readlinkSync(path.join(this.dir, '..data')));
    } catch {
      return undefined;
    }
  }

  /** Projects `files` as the volume's whole new content (the first projection or an update). */
  write(files: Record<string, string | Buffer>): void {
    const old = this.current();
    const stamp = new Date()
      .toISOString()
      .replace(/[-T:]/g, '_')
      .replace(/\.\d+Z$/, '');
    const version = `..${stamp}.${process.pid}${++versions}`;
    fs.mkdirSync(path.join(this.dir, version));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(this.dir, version, name), content);
    const tmp = path.join(this.dir, '..data_tmp');
    fs.symlinkSync(version, tmp);
    fs.renameSync(tmp, path.join(this.dir, '..data'));
    for (const name of Object.keys(files)) {
      if (!fs.existsSync(this.path(name))) fs.symlinkSync(path.join('..data', name), this.path(name));
    }
    for (const name of fs.readdirSync(this.dir)) {
      if (!name.startsWith('..') && !(name in files)) fs.unlinkSync(this.path(name));
    }
    if (old) fs.rmSync(old, { recursive: true, force: true });
  }
}
