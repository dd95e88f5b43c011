// The server's process tree as /proc shows it: its supervised worker and the worker's app hosts
// (tests and benchmarks watch their pids to tell a restart from a survival).
import fs from "node:fs";

/** Processes whose parent is `pid`, with their command lines. */
export function childrenOf(pid: number): { pid: number; command: string }[] {
  return fs.readdirSync("/proc").flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) !== pid) return [];
      return [{ pid: Number(entry), command: fs.readFileSync(`/proc/${entry}/cmdline`, "utf8") }];
    } catch {
      return []; // gone meanwhile
    }
  });
}

/** The worker the server at `serverPid` supervises, or undefined while it restarts. */
export function workerPidOf(serverPid: number): number | undefined {
  return childrenOf(serverPid).find((child) => child.command.includes("worker/index.ts"))?.pid;
}

/** The app-host processes of the worker at `workerPid`. */
export function appHostPidsOf(workerPid: number): number[] {
  return childrenOf(workerPid)
    .filter((child) => child.command.includes("app-host-"))
    .map((child) => child.pid);
}

/** Resident memory of a process in MB. */
export const rssMbOf = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN) / 1024;
