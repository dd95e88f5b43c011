import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { hlsJobArgs } from "../../worker/ingest/hls-job";
import { closePlaylist, parsePlaylist } from "../../worker/ingest/hls-playlist";
import { writeRecordingMeta } from "../../worker/ingest/recording";
import { applyVodRetention } from "../../worker/ingest/vod-retention";

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canopy-ingest-unit-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("hls playlists", () => {
  const live = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:41\n#EXTINF:1.000000,\ng1-41.ts\n#EXTINF:0.960000,\ng1-42.ts\n";

  it("parses segments, sequence, type and the end marker", () => {
    expect(parsePlaylist(live)).toEqual({
      mediaSequence: 41,
      ended: false,
      segments: [
        { uri: "g1-41.ts", duration: 1 },
        { uri: "g1-42.ts", duration: 0.96 },
      ],
    });
    expect(parsePlaylist(`${live}#EXT-X-ENDLIST\n`).ended).toBe(true);
  });

  it("closes an unfinished playlist once, turning EVENT into VOD when asked", async () => {
    const file = path.join(tempDir(), "index.m3u8");
    fs.writeFileSync(file, live.replace("#EXT-X-MEDIA-SEQUENCE:41", "#EXT-X-MEDIA-SEQUENCE:41\n#EXT-X-PLAYLIST-TYPE:EVENT"));
    expect(await closePlaylist(file, { asVod: true })).toMatchObject({ ended: true, type: "VOD" });
    await closePlaylist(file, { asVod: true });
    expect(fs.readFileSync(file, "utf8").match(/#EXT-X-ENDLIST/g)).toHaveLength(1);
    expect(await closePlaylist(path.join(path.dirname(file), "missing.m3u8"))).toBeUndefined();
  });

  it("builds the ffmpeg job without any stream key: stdin in, files named by public id and generation", () => {
    const args = hlsJobArgs({ liveDir: "/m/live/pub12345", vodDir: "/m/vod/v1", segmentSeconds: 1, liveSegments: 6, vodSegmentSeconds: 4, generation: 2 });
    expect(args.slice(args.indexOf("-i"), args.indexOf("-i") + 2)).toEqual(["-i", "pipe:0"]);
    expect(args).toContain("/m/live/pub12345/g2-%d.ts");
    expect(args).toContain("/m/vod/v1/index.m3u8");
    expect(args.join(" ")).toMatch(/append_list\+discont_start/);
    expect(hlsJobArgs({ liveDir: "/l", segmentSeconds: 2, liveSegments: 6, vodSegmentSeconds: 4, generation: 1 }).join(" ")).not.toMatch(/append_list|vod/);
  });
});

describe("vod retention", () => {
  const day = 86_400_000;
  async function recording(root: string, vodId: string, endedAt: number, sizeBytes: number) {
    const dir = path.join(root, vodId);
    fs.mkdirSync(dir, { recursive: true });
    await writeRecordingMeta(dir, { vodId, channel: "c", publicId: "pub12345", sessionId: "s", startedAt: endedAt - 1000, endedAt, sizeBytes });
  }

  it("removes recordings past the age limit, then the oldest beyond the size limit, never open ones", async () => {
    const root = tempDir();
    const now = Date.now();
    await recording(root, "old-0000001", now - 20 * day, 100);
    await recording(root, "mid-0000002", now - 3 * day, 600);
    await recording(root, "new-0000003", now - 1 * day, 600);
    fs.mkdirSync(path.join(root, "open-0000004"));
    fs.writeFileSync(path.join(root, "open-0000004", "g1-00000.ts"), Buffer.alloc(300));
    fs.mkdirSync(path.join(root, "Not A Vod"));

    const deleted = await applyVodRetention({ vodRoot: root, retentionDays: 14, maxTotalBytes: 1000, active: new Set(["open-0000004"]), now });
    expect(deleted).toEqual(["old-0000001", "mid-0000002"]);
    expect(fs.readdirSync(root).sort()).toEqual(["Not A Vod", "new-0000003", "open-0000004"]);
  });

  it("keeps nothing when the retention is 0 days", async () => {
    const root = tempDir();
    await recording(root, "old-0000001", Date.now() - 1000, 10);
    expect(await applyVodRetention({ vodRoot: root, retentionDays: 0, maxTotalBytes: 1e9, active: new Set() })).toEqual(["old-0000001"]);
  });
});
