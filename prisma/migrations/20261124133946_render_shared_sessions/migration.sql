-- CreateTable
CREATE TABLE "RenderSession" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "workerId" TEXT NOT NULL,
    "ready" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastActivity" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "quality" INTEGER NOT NULL,
    "fps" INTEGER NOT NULL,
    "adaptive" BOOLEAN NOT NULL,
    "pageInfo" JSONB NOT NULL,
    "subscribers" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RenderSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RenderPairing" (
    "idHash" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "approvedBy" TEXT,

    CONSTRAINT "RenderPairing_pkey" PRIMARY KEY ("idHash")
);

-- CreateIndex
CREATE INDEX "RenderSession_ownerId_idx" ON "RenderSession"("ownerId");

-- CreateIndex
CREATE INDEX "RenderSession_workerId_idx" ON "RenderSession"("workerId");

-- CreateIndex
CREATE UNIQUE INDEX "RenderPairing_codeHash_key" ON "RenderPairing"("codeHash");

-- CreateIndex
CREATE INDEX "RenderPairing_expiresAt_idx" ON "RenderPairing"("expiresAt");
