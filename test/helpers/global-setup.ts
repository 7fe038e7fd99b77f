// Child-process tests run the compiled CLI: build it once before any test file starts.
import { execFileSync } from 'node:child_process';
import { rootPath } from '../../core/paths.js';

export default function setup(): void {
  execFileSync(process.execPath, [rootPath('node_modules', 'typescript', 'bin', 'tsc'), '-p', rootPath()], { stdio: 'inherit' });
}
