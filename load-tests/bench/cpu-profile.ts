// Summarizes a V8 .cpuprofile (node --cpu-prof) of the server: busy time of the main thread,
// the functions with the most self time, and inclusive time of the ingest stages.
//   node --import tsx load-tests/bench/cpu-profile.ts <file.cpuprofile> [more stage names]
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Functions of the request path, in pipeline order; inclusive time is reported for each. */
const STAGES = [
  'readBody',
  'decompress',
  'decodeEvents',
  'decodeNdjson',
  'authenticate',
  'consume',
  'ingest',
  'validate',
  'checkEvent',
  'enrich',
  'stringify',
  'check',
  'append',
  'writeSync',
  'sync',
  'seal',
  'deliver',
  'insertJsonLines',
  'read',
  'sendJson',
  'observe',
];

const label = (n: ProfileNode): string => {
  const f = n.callFrame;
  const name = f.functionName || '(anonymous)';
  return f.url ? `${name} ${path.basename(f.url)}:${f.lineNumber + 1}` : name;
};

export function summarize(file: string, extraStages: string[] = []): string {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const stages = new Set([...STAGES, ...extraStages]);
  let total = 0;
  let idle = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const leaf = byId.get(p.samples[i])!;
    total += dt;
    if (leaf.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = byId.get(id)!.callFrame.functionName;
      if (stages.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + dt);
      }
    }
  }
  const busy = total - idle;
  const pct = (us: number): string => `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
  const ms = (us: number): string => `${(us / 1000).toFixed(0)} ms`.padStart(9);
  const lines = [
    `${path.basename(file)}: ${(total / 1e6).toFixed(1)} s profiled, main thread busy ${(busy / 1e6).toFixed(1)} s (${((busy / total) * 100).toFixed(0)}%)`,
    '',
    'self time (share of busy time):',
    ...[...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${pct(v)} ${ms(v)}  ${k}`),
    '',
    'inclusive time of named functions (nested stages overlap):',
    ...[...stages].filter((s) => inclusive.has(s)).map((s) => `  ${pct(inclusive.get(s)!)} ${ms(inclusive.get(s)!)}  ${s}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [file, ...extra] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node --import tsx load-tests/bench/cpu-profile.ts <file.cpuprofile> [function names]');
    process.exit(1);
  }
  console.log(summarize(file, extra));
}
