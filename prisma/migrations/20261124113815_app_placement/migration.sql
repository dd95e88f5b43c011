-- CreateTable
CREATE TABLE "AppPlacement" (
    "appId" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "deploymentId" TEXT NOT NULL,
    "fence" INTEGER NOT NULL DEFAULT 1,
    "leaseExpiresAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppPlacement_pkey" PRIMARY KEY ("appId","target")
);

-- CreateIndex
CREATE INDEX "AppPlacement_workerId_idx" ON "AppPlacement"("workerId");

-- AddForeignKey
ALTER TABLE "AppPlacement" ADD CONSTRAINT "AppPlacement_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
