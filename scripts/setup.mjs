#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm dependencies when missing or stale, builds the
// TypeScript, and (with --test) installs what the test suite uses: Debian packages (redis-server,
// chromium) and the Grafana plugins' npm workspace.
// Uses only Node built-ins, since it runs before dependencies exist.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const mtime = (p) => (fs.existsSync(p) ? fs.statSync(p).mtimeMs : 0);

/** Runs `npm install` in dir when its node_modules is missing or older than its lockfile. */
const ensureInstalled = (dir, what) => {
  const installed = path.join(dir, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installed) || mtime(path.join(dir, 'package-lock.json')) > mtime(installed)) {
    console.error(`[setup] installing ${what}`);
    execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  }
};
ensureInstalled(root, 'npm dependencies');

const newest = (dir) => {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, mtime(p));
  }
  return t;
};
const built = mtime(path.join(root, 'dist', 'core', 'cli.js'));
const sources = Math.max(...['core', 'ingest', 'query', 'schema'].map((d) => newest(path.join(root, d))), mtime(path.join(root, 'tsconfig.json')));
if (built < sources) {
  console.error('[setup] building');
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root]);
}

if (process.argv.includes('--test')) {
  run('bash', [path.join(root, 'scripts', 'ensure-debian.sh'), 'redis-server', 'chromium']);
  // `npm install`, not `npm ci`: a lockfile made here can miss @swc/core's optional platform packages.
  ensureInstalled(path.join(root, 'grafana-plugin'), 'the Grafana plugin workspace');
}
