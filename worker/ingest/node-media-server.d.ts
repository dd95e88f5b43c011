// Types for the parts of node-media-server 4.4.3 (plain CommonJS, no declarations) that the RTMP
// ingest uses: the RTMP protocol state machine, FLV tag helpers, AMF decoding and its logger.
// Only what rtmp-server.ts touches is declared.

declare module "node-media-server/src/core/avpacket.js" {
  /** One media message. codec_type: 8 audio, 9 video, 18 script data. flags: 0 audio sequence
   * header, 1 audio frame, 2 video sequence header, 3 key frame, 4 inter frame, 5 metadata. */
  export default class AVPacket {
    codec_id: number;
    codec_type: number;
    flags: number;
    pts: number;
    dts: number;
    size: number;
    data: Buffer;
  }
}

declare module "node-media-server/src/protocol/rtmp.js" {
  import type AVPacket from "node-media-server/src/core/avpacket.js";

  export default class Rtmp {
    onConnectCallback: (request: { app: string; name: string; host: string; query: unknown }) => void;
    onPlayCallback: () => void;
    onPushCallback: () => void;
    onPacketCallback: (packet: AVPacket) => void;
    onOutputCallback: (buffer: Buffer) => void;
    /** Feeds received bytes; returns an error string or null (and may throw on malformed input). */
    parserData(buffer: Buffer): string | null;
    packetAlloc(): void;
    controlHandler(): void;
    onDeleteStream(message: unknown): void;
    sendStatusMessage(streamId: number, level: string, code: string, description: string): void;
    streamId?: number;
    inPackets: Map<number, unknown>;
    parserPacket: { header: { length: number; type: number; cid: number } };
    inChunkSize: number;
  }
}

declare module "node-media-server/src/protocol/flv.js" {
  import type AVPacket from "node-media-server/src/core/avpacket.js";

  export default class Flv {
    static createHeader(hasAudio: boolean, hasVideo: boolean): Buffer;
    /** A complete FLV tag (header, copied payload, previous-tag-size). */
    static createMessage(packet: AVPacket): Buffer;
  }
}

declare module "node-media-server/src/protocol/amf.js" {
  const amf: {
    decodeAmf0Data(buffer: Buffer): { cmd?: unknown; method?: unknown; dataObj?: unknown };
  };
  export default amf;
}

declare module "node-media-server/src/core/logger.js" {
  const logger: { level: string; log(message: string, level?: string): void };
  export default logger;
}
