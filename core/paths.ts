// The repository root, whether running from sources (tsx, vitest) or from dist/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'sluice') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the sluice package root');
    dir = up;
  }
}

export const ROOT = findRoot();
export const rootPath = (...parts: string[]): string => path.join(ROOT, ...parts);
