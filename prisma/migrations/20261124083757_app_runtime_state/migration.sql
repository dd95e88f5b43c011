-- CreateTable
CREATE TABLE "AppLogLine" (
    "appId" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "stack" JSONB,
    "metrics" JSONB,

    CONSTRAINT "AppLogLine_pkey" PRIMARY KEY ("appId","target","seq")
);

-- AddForeignKey
ALTER TABLE "AppLogLine" ADD CONSTRAINT "AppLogLine_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
