// A benchmark's figures live in docs/BENCHMARKS.md between its own start and end markers, so
// each bench rewrites only its part of the file.
import fs from 'node:fs';

export function markers(name: string): { start: string; end: string } {
  return { start: `<!-- bench:${name}:start -->`, end: `<!-- bench:${name}:end -->` };
}

/** Replaces the block between the markers; appends it under `heading` when they are missing. */
export function writeBlock(file: string, name: string, block: string, heading?: string): void {
  const { start, end } = markers(name);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  const next = a !== -1 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${heading ? `${heading}\n\n` : ''}${block}\n`;
  fs.writeFileSync(file, next);
}

/** A titled list of bullet lines, then a blank line. */
export const bullets = (title: string, lines: string[]): string[] => [title, '', ...lines.map((l) => `- ${l}`), ''];

/** The closing "Reproduce" part of a block. */
export const reproduce = (command: string): string[] => ['Reproduce:', '', '```sh', command, '```', ''];
