import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** The highest nice value: the lowest priority. */
const LOWEST = 19;

/**
 * Lowers the scheduling priority of the calling thread alone by `steps` nice values (Linux: a
 * thread's own nice value, set through its thread id), so that when the cores are short the
 * process's other threads go first. Returns whether it could; elsewhere, or refused, the thread
 * keeps the process's priority.
 */
export function lowerThisThreadsPriority(steps: number): boolean {
  try {
    // "<pid>/task/<tid>": the thread asking, which is what setpriority(2) takes on Linux.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    setPriority(tid, Math.min(LOWEST, getPriority(tid) + steps));
    return true;
  } catch {
    return false;
  }
}
