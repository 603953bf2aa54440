import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What one command cost: wall time, and memory as `/usr/bin/time -v` and as the process tree. */
export interface Run {
  code: number | null;
  seconds: number;
  /** the largest peak RSS of any one process of the command (VmHWM; what `/usr/bin/time -v` prints) */
  peakMB: number;
  /** which process that was */
  peakCommand: string;
  /** the largest sum of the RSS of all its processes at once (sampled every 20 ms: a floor) */
  treeMB: number;
  /** user + system CPU seconds of all its processes (GNU time), when known */
  cpuSeconds?: number;
  /** of which the kernel's (system) seconds */
  systemSeconds?: number;
  stdout: string;
  stderr: string;
}

const status = (pid: number): string | null => {
  try { return fs.readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return null; }
};
const kB = (s: string, key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);

function descendants(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    try {
      for (const task of fs.readdirSync(`/proc/${out[i]}/task`)) {
        const children = fs.readFileSync(`/proc/${out[i]}/task/${task}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      }
    } catch { /* gone */ }
  }
  return out;
}

/**
 * Runs a command and follows its whole process tree in /proc (npm, the shell it starts, node):
 * every process's VmHWM (its own exact peak, read until it exits) and the sum of their VmRSS.
 * With GNU time installed it also runs under `/usr/bin/time -f %M`, whose figure (the largest
 * child's peak, from the kernel) then stands for peakMB: it cannot miss a peak between samples.
 */
export async function measure(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  const timeOut = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-time-')), 'maxrss');
  const gnuTime = fs.existsSync('/usr/bin/time');
  const started = performance.now();
  const child = gnuTime
    ? spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeOut, cmd, ...args], { ...opts, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d; });
  child.stderr.on('data', (d: Buffer) => { stderr += d; });
  const hwm = new Map<number, { kB: number; command: string }>();
  let treeMB = 0;
  const sample = () => {
    let sum = 0;
    for (const pid of descendants(child.pid!)) {
      const s = status(pid);
      if (!s) continue;
      const name = /Name:\s+(\S+)/.exec(s)?.[1] ?? '?';
      if (name === 'time') continue; // the measuring wrapper itself
      sum += kB(s, 'VmRSS');
      const peak = kB(s, 'VmHWM');
      if (peak > (hwm.get(pid)?.kB ?? 0)) {
        let command = name;
        try { command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).slice(0, 3).map((a) => path.basename(a)).join(' '); } catch { /* gone */ }
        hwm.set(pid, { kB: peak, command });
      }
    }
    treeMB = Math.max(treeMB, sum / 1024);
  };
  const timer = setInterval(sample, 20);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  let peak = { kB: 0, command: '' };
  for (const p of hwm.values()) if (p.kB > peak.kB) peak = p;
  let cpuSeconds: number | undefined;
  let systemSeconds: number | undefined;
  if (gnuTime) {
    const [kernel, user, system] = fs.readFileSync(timeOut, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    if (kernel! > 0) peak = { kB: kernel!, command: peak.command };
    if (user! >= 0 && system! >= 0) { cpuSeconds = user! + system!; systemSeconds = system!; }
  }
  fs.rmSync(path.dirname(timeOut), { recursive: true, force: true });
  return { code, seconds, peakMB: peak.kB / 1024, peakCommand: peak.command, treeMB, cpuSeconds, systemSeconds, stdout, stderr };
}
