// The RTMP listener of the ingest. Each connection speaks RTMP through node-media-server 4's
// protocol layer (handshake, chunk stream, AMF commands, FLV tags); what happens around it is
// ours. We do not run the NodeMediaServer class: it calls process.exit when its port is taken,
// forces its logger to debug (which prints stream paths, i.e. stream keys), starts a JSON store
// and auto-recording in the working directory, lets anyone play any stream by its key, and fires
// prePublish only after the publish has begun (a rejected session still gets postPublish and a
// recording, and a 30 s "publish grace" delays donePublish). Here a publisher is held until
// `onPublish` decides, media reaches nobody before that, and a refused connection is just closed.
//
// Media leaves as an FLV byte stream (header, metadata, sequence headers, the current GOP, then
// live tags) to the sinks the ingest service attaches, e.g. an ffmpeg's stdin: the stream key
// never has to appear in a URL or a command line. The key is passed to `onPublish` and nowhere
// else; callbacks and diagnostics carry only the session id.
import crypto from "node:crypto";
import net from "node:net";
import type AVPacket from "node-media-server/src/core/avpacket.js";
import nmsLogger from "node-media-server/src/core/logger.js";
import amf from "node-media-server/src/protocol/amf.js";
import Flv from "node-media-server/src/protocol/flv.js";
import Rtmp from "node-media-server/src/protocol/rtmp.js";

// Its messages carry stream paths (= keys); none of them may reach our output.
nmsLogger.level = "error";
nmsLogger.log = () => {};

/** The one RTMP application publishers use: rtmp://host:port/live/<stream key>. */
export const rtmpApp = "live";
const streamKeyPattern = /^[A-Za-z0-9_-]{1,200}$/;

const limits = {
  /** From TCP connect to the publish command. */
  publishDeadlineMs: 10_000,
  /** Largest RTMP message before the key is accepted (commands are tiny). */
  preAuthMessageBytes: 64 * 1024,
  /** Largest RTMP message of an accepted publisher (a key frame). */
  messageBytes: 12 * 1024 * 1024,
  /** Chunk streams one connection may open (each holds a message buffer). */
  chunkStreams: 16,
  /** Media kept from the last key frame, replayed to a (re)started consumer. */
  gopCacheBytes: 8 * 1024 * 1024,
  /** Time a refused connection gets to read its error status before it is destroyed. */
  refuseLingerMs: 200,
};

export type PublishRequest = { sessionId: string; streamKey: string; remoteAddress: string };
export type PublishDecision = { allowed: boolean };
/** ended: the publisher unpublished (or was disconnected by us); dropped: the connection died. */
export type PublisherEnd = "ended" | "dropped";
export type MediaSink = { write(chunk: Buffer): void };
export type PublisherInfo = {
  /** Bytes of audio/video payload received so far. */
  mediaBytes: number;
  /** Wall time of the last audio or video frame (0: none yet). */
  lastMediaAt: number;
  width?: number;
  height?: number;
  fps?: number;
  videoCodec?: string;
  audioCodec?: string;
};

export type RtmpServerOptions = {
  port: number;
  host?: string;
  maxConnections?: number;
  /** A connection that sends nothing for this long is dropped. */
  idleTimeoutMs: number;
  /** Decides whether a publisher may go live; a throw or rejection refuses it. */
  onPublish(request: PublishRequest): Promise<PublishDecision>;
  /** Called exactly once for every session `onPublish` allowed, when its publisher is gone. */
  onDone(event: { sessionId: string; reason: PublisherEnd }): void;
  /** Diagnostics: a connection was refused (reason never contains the key). */
  onRefused?(event: { sessionId: string; reason: string }): void;
};

export type RtmpServer = {
  listen(): Promise<void>;
  close(): Promise<void>;
  /** The bound port (useful with port 0). */
  port(): number;
  /** Streams a publisher's media as FLV to `sink`; returns the function that stops it. */
  attach(sessionId: string, sink: MediaSink): () => void;
  /** Disconnects a publisher; its onDone follows (reason "ended"). */
  disconnect(sessionId: string): boolean;
  info(sessionId: string): PublisherInfo | undefined;
  connectionCount(): number;
};

type SinkState = { started: boolean };

type Session = {
  id: string;
  socket: net.Socket;
  rtmp: Rtmp;
  state: "connecting" | "checking" | "live" | "closed";
  socketClosed: boolean;
  cleanEnd: boolean;
  handshakeSeen: boolean;
  app?: string;
  name?: string;
  deadline: NodeJS.Timeout;
  mediaBytes: number;
  lastMediaAt: number;
  metadata: Record<string, unknown>;
  metadataTag?: Buffer;
  audioHeader?: Buffer;
  videoHeader?: Buffer;
  gop: Buffer[];
  gopBytes: number;
  gopOpen: boolean;
  sinks: Map<MediaSink, SinkState>;
};

class RtmpLimitError extends Error {}

export function createRtmpServer(options: RtmpServerOptions): RtmpServer {
  const sessions = new Map<string, Session>();
  let server: net.Server | undefined;

  function refuse(session: Session, reason: string): void {
    if (session.state === "closed") return;
    session.state = "closed";
    session.sinks.clear();
    options.onRefused?.({ sessionId: session.id, reason });
    const { socket } = session;
    if (socket.destroyed) return;
    socket.end();
    setTimeout(() => socket.destroy(), limits.refuseLingerMs).unref();
  }

  function handleConnection(socket: net.Socket): void {
    const rtmp = new Rtmp();
    const session: Session = {
      id: crypto.randomUUID(),
      socket,
      rtmp,
      state: "connecting",
      socketClosed: false,
      cleanEnd: false,
      handshakeSeen: false,
      deadline: setTimeout(() => refuse(session, "no publish in time"), limits.publishDeadlineMs),
      mediaBytes: 0,
      lastMediaAt: 0,
      metadata: {},
      gop: [],
      gopBytes: 0,
      gopOpen: false,
      sinks: new Map(),
    };
    sessions.set(session.id, session);
    socket.setNoDelay(true);
    socket.setTimeout(options.idleTimeoutMs, () => {
      if (session.state === "closed") return socket.destroy();
      options.onRefused?.({ sessionId: session.id, reason: "idle" });
      socket.destroy();
    });

    // Bound what a peer can make us allocate, before and after it is trusted.
    const allocate = rtmp.packetAlloc;
    rtmp.packetAlloc = function packetAlloc(this: Rtmp) {
      const max = session.state === "live" ? limits.messageBytes : limits.preAuthMessageBytes;
      if (rtmp.inPackets.size > limits.chunkStreams || rtmp.parserPacket.header.length > max) throw new RtmpLimitError("limit");
      allocate.call(rtmp);
    };
    const control = rtmp.controlHandler;
    rtmp.controlHandler = function controlHandler(this: Rtmp) {
      control.call(rtmp);
      if (!(rtmp.inChunkSize >= 1)) throw new RtmpLimitError("chunk size");
    };
    rtmp.onDeleteStream = () => {
      if (session.state !== "checking" && session.state !== "live") return;
      session.cleanEnd = true;
      socket.end();
    };
    rtmp.onOutputCallback = (buffer) => {
      if (!socket.destroyed && socket.writable) socket.write(buffer);
    };
    rtmp.onConnectCallback = (request) => {
      session.app = request.app;
      session.name = request.name;
    };
    rtmp.onPlayCallback = () => refuse(session, "play is not offered");
    rtmp.onPushCallback = () => void publish(session);
    rtmp.onPacketCallback = (packet) => onPacket(session, packet);

    socket.on("data", (data: Buffer) => {
      if (session.state === "closed") return;
      if (!session.handshakeSeen) {
        session.handshakeSeen = true;
        // C0 is the RTMP version, 3; anything else (HTTP, TLS, noise) is not a publisher.
        if (data[0] !== 3) return refuse(session, "not RTMP");
      }
      try {
        if (rtmp.parserData(data) !== null) refuse(session, "RTMP protocol error");
      } catch (error) {
        refuse(session, error instanceof RtmpLimitError ? "RTMP limit exceeded" : "malformed RTMP");
      }
    });
    socket.on("error", () => {
      // "close" follows; a reset or timeout is a dropped publisher.
    });
    socket.on("close", () => {
      session.socketClosed = true;
      clearTimeout(session.deadline);
      const wasLive = session.state === "live";
      session.state = "closed";
      session.sinks.clear();
      sessions.delete(session.id);
      if (wasLive) options.onDone({ sessionId: session.id, reason: session.cleanEnd ? "ended" : "dropped" });
    });
  }

  async function publish(session: Session): Promise<void> {
    if (session.state !== "connecting") return refuse(session, "second publish on one connection");
    clearTimeout(session.deadline);
    if (session.app !== rtmpApp) return refuse(session, "wrong application");
    const streamKey = session.name ?? "";
    session.name = undefined;
    if (!streamKeyPattern.test(streamKey)) return refuse(session, "malformed stream name");
    session.state = "checking";
    let decision: PublishDecision;
    try {
      decision = await options.onPublish({ sessionId: session.id, streamKey, remoteAddress: session.socket.remoteAddress ?? "" });
    } catch {
      decision = { allowed: false };
    }
    // The connection may have closed while the decision was pending.
    const closed = stateOf(session) === "closed";
    if (!decision.allowed) {
      if (!closed) {
        try {
          session.rtmp.sendStatusMessage(session.rtmp.streamId ?? 0, "error", "NetStream.Publish.Unauthorized", "Publishing refused.");
        } catch {
          // The refusal stands without the status message.
        }
      }
      return refuse(session, "publish refused");
    }
    if (closed) {
      // Gone while being checked: the allowed session still ends exactly once.
      if (!session.socket.destroyed) session.socket.destroy();
      options.onDone({ sessionId: session.id, reason: "dropped" });
      return;
    }
    session.state = "live";
  }

  function onPacket(session: Session, packet: AVPacket): void {
    if (session.state !== "checking" && session.state !== "live") return;
    if (packet.codec_type !== 8 && packet.codec_type !== 9 && packet.codec_type !== 18) return;
    let tag: Buffer;
    if (packet.flags === 5) {
      const metadata = metadataTag(packet);
      if (!metadata) return;
      session.metadata = metadata.values;
      session.metadataTag = tag = metadata.tag;
    } else {
      tag = Flv.createMessage(packet);
    }
    switch (packet.flags) {
      case 0:
        session.audioHeader = tag;
        break;
      case 2:
        session.videoHeader = tag;
        break;
      case 3:
        session.gop = [tag];
        session.gopBytes = tag.length;
        session.gopOpen = true;
        break;
      case 1:
      case 4:
        if (session.gopOpen) {
          session.gop.push(tag);
          session.gopBytes += tag.length;
          if (session.gopBytes > limits.gopCacheBytes) {
            session.gop = [];
            session.gopOpen = false;
          }
        }
        break;
    }
    const isFrame = packet.flags === 1 || packet.flags === 3 || packet.flags === 4;
    if (isFrame) {
      session.mediaBytes += packet.size;
      session.lastMediaAt = Date.now();
    }
    for (const [sink, state] of session.sinks) {
      if (state.started) sink.write(tag);
      else if (isFrame && canStart(session)) start(session, sink, state, packet.flags === 3 ? undefined : tag);
    }
  }

  function expectsVideo(session: Session): boolean {
    return session.videoHeader !== undefined || session.metadata.videocodecid !== undefined;
  }

  /** A consumer starts on a key frame (or on any audio frame of an audio-only stream). */
  function canStart(session: Session): boolean {
    return expectsVideo(session) ? session.gopOpen : session.audioHeader !== undefined || session.lastMediaAt > 0;
  }

  function start(session: Session, sink: MediaSink, state: SinkState, extra?: Buffer): void {
    state.started = true;
    const hasVideo = expectsVideo(session);
    const hasAudio = session.audioHeader !== undefined || session.metadata.audiocodecid !== undefined;
    sink.write(Flv.createHeader(hasAudio, hasVideo));
    if (session.metadataTag) sink.write(session.metadataTag);
    if (session.audioHeader) sink.write(session.audioHeader);
    if (session.videoHeader) sink.write(session.videoHeader);
    if (hasVideo) for (const tag of session.gop) sink.write(tag);
    else if (extra) sink.write(extra);
  }

  function attach(sessionId: string, sink: MediaSink): () => void {
    const session = sessions.get(sessionId);
    if (!session || session.state === "closed") return () => {};
    const state: SinkState = { started: false };
    session.sinks.set(sink, state);
    if (session.lastMediaAt > 0 && expectsVideo(session) && session.gopOpen) start(session, sink, state);
    return () => {
      session.sinks.delete(sink);
    };
  }

  function disconnect(sessionId: string): boolean {
    const session = sessions.get(sessionId);
    if (!session || session.socketClosed) return false;
    session.cleanEnd = true;
    session.socket.destroy();
    return true;
  }

  function info(sessionId: string): PublisherInfo | undefined {
    const session = sessions.get(sessionId);
    if (!session) return undefined;
    const meta = session.metadata;
    return {
      mediaBytes: session.mediaBytes,
      lastMediaAt: session.lastMediaAt,
      width: positive(meta.width),
      height: positive(meta.height),
      fps: positive(meta.framerate),
      videoCodec: codecName(meta.videocodecid, videoCodecs),
      audioCodec: codecName(meta.audiocodecid, audioCodecs),
    };
  }

  function listen(): Promise<void> {
    const candidate = net.createServer(handleConnection);
    candidate.maxConnections = options.maxConnections ?? 64;
    return new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        candidate.close();
        reject(error);
      };
      candidate.once("error", onError);
      candidate.listen({ port: options.port, host: options.host }, () => {
        candidate.off("error", onError);
        candidate.on("error", () => {});
        server = candidate;
        resolve();
      });
    });
  }

  async function close(): Promise<void> {
    const current = server;
    server = undefined;
    for (const session of sessions.values()) session.socket.destroy();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  function port(): number {
    const address = server?.address();
    return address && typeof address === "object" ? address.port : 0;
  }

  return { listen, close, port, attach, disconnect, info, connectionCount: () => sessions.size };
}

/**
 * RTMP publishers send "@setDataFrame" "onMetaData" {…}; an FLV file carries "onMetaData" {…}
 * (ffmpeg's FLV reader ignores the former). Returns the FLV tag and the decoded values.
 */
function metadataTag(packet: AVPacket): { tag: Buffer; values: Record<string, unknown> } | undefined {
  const data = packet.data.subarray(0, packet.size);
  let decoded: ReturnType<typeof amf.decodeAmf0Data>;
  try {
    decoded = amf.decodeAmf0Data(data);
  } catch {
    return undefined;
  }
  let body: Buffer;
  if (decoded.cmd === "@setDataFrame" && decoded.method === "onMetaData" && data[0] === 0x02) body = data.subarray(3 + data.readUInt16BE(1));
  else if (decoded.cmd === "onMetaData") body = data;
  else return undefined;
  const values = decoded.dataObj && typeof decoded.dataObj === "object" ? (decoded.dataObj as Record<string, unknown>) : {};
  const tag = Flv.createMessage({ ...packet, data: body, size: body.length } as AVPacket);
  return { tag, values };
}

const videoCodecs: Record<number, string> = { 2: "h263", 4: "vp6", 7: "h264", 12: "hevc" };
const audioCodecs: Record<number, string> = { 2: "mp3", 10: "aac", 11: "speex", 13: "opus" };

function codecName(id: unknown, names: Record<number, string>): string | undefined {
  if (typeof id === "number") return names[id] ?? fourCc(id);
  if (typeof id === "string" && /^[\w.-]{1,32}$/.test(id)) return id;
  return undefined;
}

function fourCc(id: number): string | undefined {
  if (id < 0x1000000 || id > 0xffffffff) return undefined;
  const text = Buffer.from([id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]).toString("latin1");
  return /^[\w.-]{4}$/.test(text) ? text : undefined;
}

function stateOf(session: Session): Session["state"] {
  return session.state;
}

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}
