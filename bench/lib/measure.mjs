// Small measuring helpers for the bench and the soak run: clocks, percentiles, and /proc readings (Linux).
// Nothing here spawns or writes anything.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}
export const median = (values) => percentile(values, 50);

let ticks;
/** Clock ticks per second for /proc/<pid>/stat (almost always 100). */
function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

function statFields(pid) {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may hold spaces: split after the last ')'.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/**
 * CPU seconds a process has used so far: the nanosecond run times of its threads (/proc/<pid>/task/<tid>/schedstat),
 * where the kernel has them; otherwise utime + stime from /proc/<pid>/stat, which count in 10 ms ticks.
 */
export function cpuSeconds(pid) {
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`))
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e9;
  } catch {
    const fields = statFields(pid); // fields[0] is the state (field 3); utime/stime are fields 14 and 15
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  }
}

/** Resident memory in KiB (VmRSS). */
export function rssKiB(pid) {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** True while the pid runs (a zombie waiting to be reaped counts as exited). */
export function alive(pid) {
  try {
    return statFields(pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until the pid has exited; resolves with the milliseconds waited, or rejects after `deadlineMs`. */
export async function waitGone(pid, deadlineMs = 10_000, stepMs = 10) {
  const start = now();
  while (alive(pid)) {
    if (now() - start > deadlineMs) throw new Error(`pid ${pid} still running after ${deadlineMs} ms`);
    await sleep(stepMs);
  }
  return now() - start;
}

/** Formats milliseconds with sensible precision. */
export function ms(value) {
  if (!Number.isFinite(value)) return String(value);
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}
