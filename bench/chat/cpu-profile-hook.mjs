// Preloaded into the server by `bench:chat --cpu-prof DIR` (NODE_OPTIONS=--import this file;
// Node 20 refuses --cpu-prof in NODE_OPTIONS), Canopy's and the bare one. The first SIGUSR2 starts sampling the main thread
// with the inspector, the second (or the exit) writes DIR/<label>-<pid>.cpuprofile, so the profile
// covers the measurement window only, not start-up and connections.
import fs from "node:fs";
import inspector from "node:inspector";
import path from "node:path";

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: Number(process.env.BENCH_CPU_PROF_INTERVAL_US ?? 500) });
  let state = "idle";
  const stop = () => {
    if (state !== "running") return;
    state = "done";
    // The main thread's own session answers synchronously, so this also works in an exit handler.
    session.post("Profiler.stop", (error, result) => {
      if (!error) fs.writeFileSync(path.join(dir, `${process.env.BENCH_CPU_PROF_LABEL ?? "server"}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  };
  process.on("SIGUSR2", () => {
    if (state === "idle") {
      state = "running";
      session.post("Profiler.start");
    } else stop();
  });
  process.on("exit", stop);
}
