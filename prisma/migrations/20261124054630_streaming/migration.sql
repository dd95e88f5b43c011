-- CreateEnum
CREATE TYPE "StreamStatus" AS ENUM ('OFFLINE', 'LURKING', 'ONLINE');

-- AlterTable
ALTER TABLE "Channel" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "directory" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "liveSessionId" TEXT,
ADD COLUMN     "liveStartedAt" TIMESTAMP(3),
ADD COLUMN     "liveStats" JSONB,
ADD COLUMN     "liveWorkerId" TEXT,
ADD COLUMN     "publicId" TEXT,
ADD COLUMN     "status" "StreamStatus" NOT NULL DEFAULT 'OFFLINE',
ADD COLUMN     "statusChangedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "streamKeyCreatedAt" TIMESTAMP(3),
ADD COLUMN     "streamKeyHash" TEXT,
ADD COLUMN     "streamKeyHint" TEXT,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "title" TEXT NOT NULL DEFAULT '';

-- Backfill (edited by hand): channels that exist already get a random public id.
UPDATE "Channel" SET "publicId" = 'c' || substr(md5(random()::text || "id"), 1, 24) WHERE "publicId" IS NULL;
ALTER TABLE "Channel" ALTER COLUMN "publicId" SET NOT NULL;

-- CreateTable
CREATE TABLE "StreamSample" (
    "id" SERIAL NOT NULL,
    "channelId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "viewers" INTEGER NOT NULL,
    "bitrateKbps" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "StreamSample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vod" (
    "id" TEXT NOT NULL,
    "channelId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "durationSeconds" DOUBLE PRECISION NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Vod_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StreamSample_channelId_at_idx" ON "StreamSample"("channelId", "at");

-- CreateIndex
CREATE INDEX "Vod_channelId_startedAt_idx" ON "Vod"("channelId", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Channel_publicId_key" ON "Channel"("publicId");

-- CreateIndex
CREATE UNIQUE INDEX "Channel_streamKeyHash_key" ON "Channel"("streamKeyHash");

-- AddForeignKey
ALTER TABLE "StreamSample" ADD CONSTRAINT "StreamSample_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vod" ADD CONSTRAINT "Vod_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;
