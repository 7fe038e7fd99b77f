// CPU time and memory of processes, from /proc (Linux).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Name and utime + stime (seconds) from a /proc stat file; null once the task is gone. */
function readStat(file: string): { name: string; cpu: number } | null {
  try {
    const stat = fs.readFileSync(file, 'utf8');
    // The name is in parentheses and may contain spaces.
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { name: stat.slice(stat.indexOf('(') + 1, close), cpu: (Number(fields[11]) + Number(fields[12])) / CLK_TCK };
  } catch {
    return null;
  }
}

/** utime + stime of a process, in seconds (0 once it has exited). */
export const cpuSeconds = (pid: number): number => readStat(`/proc/${pid}/stat`)?.cpu ?? 0;

/** CPU seconds of a process's threads, grouped: the main (JS) thread, then by thread name. */
export function threadCpu(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[] = [];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    const s = readStat(`/proc/${pid}/task/${tid}/stat`);
    if (!s) continue;
    const group = Number(tid) === pid ? 'main JS thread' : s.name;
    out.set(group, (out.get(group) ?? 0) + s.cpu);
  }
  return out;
}

/** CPU seconds all processes of the machine used so far (user, nice, system, irq, softirq, steal). */
export function machineCpuSeconds(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / CLK_TCK;
}

function kbField(file: string, field: string): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export const rssKb = (pid: number): number => kbField(`/proc/${pid}/status`, 'VmRSS');

export interface Usage {
  /** CPU time over wall time, in percent of one core (200% = both cores of a 2-core machine). */
  cpuPercent: number;
  cpuSeconds: number;
  peakRssMb: number;
  /** The same percentage split by thread group, largest first. */
  threads: [string, number][];
  /** Every process of the machine together, same unit. */
  machineCpuPercent: number;
  wallSeconds: number;
}

/** Samples CPU and RSS of some processes (summed) between start() and stop(). */
export class UsageMeter {
  private cpu0 = 0;
  private machine0 = 0;
  private threads0 = new Map<string, number>();
  private t0 = 0;
  private peakKb = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly pids: () => number[]) {}

  private threadsNow(): Map<string, number> {
    const out = new Map<string, number>();
    for (const pid of this.pids()) for (const [k, v] of threadCpu(pid)) out.set(k, (out.get(k) ?? 0) + v);
    return out;
  }

  private cpuNow(): number {
    return this.pids().reduce((n, pid) => n + cpuSeconds(pid), 0);
  }

  private sample(): void {
    this.peakKb = Math.max(this.peakKb, this.pids().reduce((n, pid) => n + rssKb(pid), 0));
  }

  start(): void {
    this.cpu0 = this.cpuNow();
    this.machine0 = machineCpuSeconds();
    this.threads0 = this.threadsNow();
    this.t0 = performance.now();
    this.peakKb = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), 100);
  }

  stop(): Usage {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const used = this.cpuNow() - this.cpu0;
    const machineUsed = machineCpuSeconds() - this.machine0;
    const wall = (performance.now() - this.t0) / 1000;
    const threads = [...this.threadsNow()]
      .map(([k, v]): [string, number] => [k, ((v - (this.threads0.get(k) ?? 0)) / wall) * 100])
      .filter(([, v]) => v >= 0.5)
      .sort((a, b) => b[1] - a[1]);
    return { cpuPercent: (used / wall) * 100, cpuSeconds: used, peakRssMb: this.peakKb / 1024, threads, machineCpuPercent: (machineUsed / wall) * 100, wallSeconds: wall };
  }
}

export function machine(): { cores: number; memoryGb: number; cpuModel: string } {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const memKb = kbField('/proc/meminfo', 'MemTotal');
  return { cores, memoryGb: Math.round((memKb / 1024 / 1024) * 10) / 10, cpuModel };
}

export function loadAverage(): string {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '';
  }
}
