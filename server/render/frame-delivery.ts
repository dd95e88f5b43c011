// Per-client frame delivery with back-pressure: at most one frame is in flight to a client; while
// it is, newer frames replace the waiting one (stale frames are dropped, never queued). The time
// from handing a frame to the transport until the transport drains gives the client's bandwidth,
// which drives the adaptive mode (Jiomosa's thresholds).
import type { CachedFrame } from "./session-registry";

/** What delivery needs from a connection (a Socket.IO socket's engine in production, a fake in tests). */
export type FrameChannel = {
  /** True when a packet handed over now goes out at once (nothing buffered, transport idle). */
  writable(): boolean;
  /** Calls back when the transport finished writing (`drained`) or may accept more (`ready`). */
  watch(listener: (event: "drained" | "ready") => void): () => void;
  send(frame: CachedFrame): number;
};

type Sample = { at: number; bytes: number; ms: number };

const sampleWindowMs = 3000;

export class FrameDelivery {
  private pending: CachedFrame | null = null;
  private inFlight: { bytes: number; at: number; seq: number } | null = null;
  private readonly samples: Sample[] = [];
  private readonly unwatch: () => void;
  private scheduled = false;
  sent = 0;
  dropped = 0;
  bytesSent = 0;
  lastSentSeq = -1;

  constructor(
    private readonly channel: FrameChannel,
    private readonly now: () => number = () => performance.now(),
    private readonly defer: (callback: () => void) => void = setImmediate,
  ) {
    this.unwatch = channel.watch((event) => this.onTransport(event));
  }

  /** A new frame of the session: sent now if the client is ready, else it waits (replacing an older waiting one). */
  offer(frame: CachedFrame): void {
    if (frame.seq <= this.lastSentSeq) return;
    if (this.pending) this.dropped += 1;
    this.pending = frame;
    this.flush();
  }

  private flush(): void {
    if (!this.pending || this.inFlight || !this.channel.writable()) return;
    const frame = this.pending;
    this.pending = null;
    // In flight before sending: a transport may drain synchronously (long-polling does).
    const inFlight = { bytes: frame.data.length, at: this.now(), seq: frame.seq };
    this.inFlight = inFlight;
    const bytes = this.channel.send(frame);
    inFlight.bytes = bytes;
    this.lastSentSeq = frame.seq;
    this.sent += 1;
    this.bytesSent += bytes;
  }

  private onTransport(event: "drained" | "ready"): void {
    if (event === "drained" && this.inFlight) {
      const done = this.now();
      this.samples.push({ at: done, bytes: this.inFlight.bytes, ms: Math.max(0.25, done - this.inFlight.at) });
      this.inFlight = null;
    }
    // The transport marks itself writable right after it signals; try once it has.
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Estimated bandwidth in bits/s over the last seconds (busy time only), or null without enough samples. */
  bandwidthBps(): number | null {
    const now = this.now();
    while (this.samples.length && now - this.samples[0]!.at > sampleWindowMs) this.samples.shift();
    if (this.samples.length < 3) return null;
    let bytes = 0;
    let ms = 0;
    for (const sample of this.samples) {
      bytes += sample.bytes;
      ms += sample.ms;
    }
    return (bytes * 8 * 1000) / ms;
  }

  close(): void {
    this.unwatch();
    this.pending = null;
  }
}

export type AdaptiveTier = { name: "fast" | "normal" | "slow"; quality: number; fps: number };

/** DESIGN.md / Jiomosa: over 5 Mbps q90/30 fps, 2–5 Mbps q75/20 fps, under 2 Mbps q50/10 fps. */
export function adaptiveTier(bps: number): AdaptiveTier {
  if (bps > 5_000_000) return { name: "fast", quality: 90, fps: 30 };
  if (bps >= 2_000_000) return { name: "normal", quality: 75, fps: 20 };
  return { name: "slow", quality: 50, fps: 10 };
}

/**
 * Decides a session's tier from its subscribers' bandwidths: the slowest one sets it (everyone
 * watches the same screencast). A change needs two evaluations in a row, so one hiccup does not
 * flip the quality back and forth.
 */
export class AdaptiveController {
  private candidate: AdaptiveTier["name"] | null = null;

  evaluate(bandwidths: Array<number | null>, current: { quality: number; fps: number }): AdaptiveTier | null {
    const known = bandwidths.filter((value): value is number => value !== null);
    if (!known.length) return null;
    const tier = adaptiveTier(Math.min(...known));
    if (tier.quality === current.quality && tier.fps === current.fps) {
      this.candidate = null;
      return null;
    }
    if (this.candidate !== tier.name) {
      this.candidate = tier.name;
      return null;
    }
    this.candidate = null;
    return tier;
  }
}

/**
 * Other nodes' slowest viewer per session (adaptive mode in a cluster): reports lapse after
 * `staleMs` (their viewers left, or their node died), so only current ones weigh in.
 */
export function createPeerBandwidths(options: { staleMs: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  const reports = new Map<string, Map<string, { bps: number; at: number }>>();
  function current(sessionId: string): number[] {
    const perNode = reports.get(sessionId);
    if (!perNode) return [];
    for (const [node, report] of perNode) if (now() - report.at > options.staleMs) perNode.delete(node);
    if (!perNode.size) reports.delete(sessionId);
    return [...perNode.values()].map((report) => report.bps);
  }
  return {
    report(sessionId: string, node: string, bps: number): void {
      let perNode = reports.get(sessionId);
      if (!perNode) reports.set(sessionId, (perNode = new Map()));
      perNode.set(node, { bps, at: now() });
    },
    current,
    /** Drops every lapsed report (sessions this node has no viewers of are never asked about). */
    prune(): void {
      for (const sessionId of [...reports.keys()]) current(sessionId);
    },
    forget: (sessionId: string) => reports.delete(sessionId),
  };
}
