-- CreateTable
CREATE TABLE "AppPageState" (
    "appId" TEXT NOT NULL,
    "pageId" TEXT NOT NULL,
    "published" BOOLEAN NOT NULL DEFAULT false,
    "title" TEXT,
    "allowedPlacements" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppPageState_pkey" PRIMARY KEY ("appId","pageId")
);

-- AddForeignKey
ALTER TABLE "AppPageState" ADD CONSTRAINT "AppPageState_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
