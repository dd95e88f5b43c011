// CPU and memory of another process from /proc (Linux): utime+stime ticks and VmRSS, sampled.
import fs from "node:fs";
import { now } from "./common";

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux we run on (getconf CLK_TCK)

export function readCpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime (14th) + stime (15th)
  } catch {
    return null;
  }
}

export function readRssKiB(pid: number): number | null {
  try {
    const match = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` (peak kept) and measures its CPU over marked windows. */
export class ProcessSampler {
  private timer: NodeJS.Timeout;
  peakRssKiB = 0;
  private mark?: { at: number; ticks: number };

  constructor(readonly pid: number, intervalMs = 200) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  private sample(): void {
    const rss = readRssKiB(this.pid);
    if (rss !== null) this.peakRssKiB = Math.max(this.peakRssKiB, rss);
  }

  startWindow(): void {
    this.mark = { at: now(), ticks: readCpuTicks(this.pid) ?? 0 };
  }

  /** CPU used since startWindow(), as a fraction of one core. */
  endWindow(): number | null {
    const ticks = readCpuTicks(this.pid);
    if (!this.mark || ticks === null) return null;
    const seconds = (now() - this.mark.at) / 1000;
    return (ticks - this.mark.ticks) / TICKS_PER_SECOND / seconds;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}
