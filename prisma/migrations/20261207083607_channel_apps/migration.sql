-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "appId" TEXT,
ADD COLUMN     "system" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "ChannelApp" (
    "channelId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "enabledBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ChannelApp_pkey" PRIMARY KEY ("channelId","appId")
);

-- CreateIndex
CREATE INDEX "ChannelApp_appId_idx" ON "ChannelApp"("appId");

-- AddForeignKey
ALTER TABLE "ChannelApp" ADD CONSTRAINT "ChannelApp_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChannelApp" ADD CONSTRAINT "ChannelApp_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Messages apps sent before these columns existed: apps wrote them as "app:<id>" and "system"
-- without an author (no account can carry either name), so their badge and flag are recovered.
UPDATE "ChatMessage" SET "appId" = substr("username", 5) WHERE "authorId" IS NULL AND "username" LIKE 'app:%';
UPDATE "ChatMessage" SET "system" = true WHERE "authorId" IS NULL AND "username" = 'system';
