// Writes the head of docs/BENCHMARKS.md (machine, versions, date, command): the last step of `npm run bench`.
import { rootPath } from '../core/paths.js';
import { currentHeader, headerBlock, writeHeader } from './bench/doc-header.js';

const info = await currentHeader('npm run bench');
writeHeader(rootPath('docs', 'BENCHMARKS.md'), headerBlock(info));
console.error(`[bench] wrote the header of docs/BENCHMARKS.md: ${info.versions.map(([n, v]) => `${n} ${v}`).join(', ')}`);
