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

/** Busy and total ticks of the whole machine (all cores) from /proc/stat. */
function readMachineTicks(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number); // user nice system idle iowait irq softirq steal
    const idle = fields[3]! + fields[4]!;
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/** CPU used by the whole machine over a window, in cores (to tell how much others were using). */
export class MachineSampler {
  private mark?: { at: number; ticks: { busy: number; total: number } };
  startWindow(): void {
    const ticks = readMachineTicks();
    if (ticks) this.mark = { at: now(), ticks };
  }
  endWindow(): number | null {
    const ticks = readMachineTicks();
    if (!this.mark || !ticks) return null;
    return (ticks.busy - this.mark.ticks.busy) / TICKS_PER_SECOND / ((now() - this.mark.at) / 1000);
  }
}
