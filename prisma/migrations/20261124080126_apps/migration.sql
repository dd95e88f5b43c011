-- CreateEnum
CREATE TYPE "AppRunState" AS ENUM ('RUNNING', 'STOPPED', 'SUSPENDED');

-- CreateTable
CREATE TABLE "App" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "draftVersion" INTEGER NOT NULL DEFAULT 0,
    "activeDeploymentId" TEXT,
    "runState" "AppRunState" NOT NULL DEFAULT 'STOPPED',
    "suspendedReason" TEXT,
    "suspendedAt" TIMESTAMP(3),

    CONSTRAINT "App_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppFile" (
    "appId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "content" BYTEA NOT NULL,
    "sha256" TEXT NOT NULL,
    "revisionId" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppFile_pkey" PRIMARY KEY ("appId","path")
);

-- CreateTable
CREATE TABLE "AppFileRevision" (
    "id" SERIAL NOT NULL,
    "appId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "content" BYTEA,
    "sha256" TEXT,
    "renamedFrom" TEXT,
    "authorId" TEXT,
    "message" TEXT NOT NULL DEFAULT '',
    "draftVersion" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppFileRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppDeployment" (
    "id" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "contentHash" TEXT NOT NULL,
    "bundle" JSONB NOT NULL,
    "disableBytecodeCache" BOOLEAN NOT NULL DEFAULT false,
    "source" TEXT NOT NULL DEFAULT 'deploy',
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppDeployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AppKvEntry" (
    "appId" TEXT NOT NULL,
    "map" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "value" BYTEA NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppKvEntry_pkey" PRIMARY KEY ("appId","map","key")
);

-- CreateIndex
CREATE UNIQUE INDEX "App_activeDeploymentId_key" ON "App"("activeDeploymentId");

-- CreateIndex
CREATE INDEX "App_ownerId_idx" ON "App"("ownerId");

-- CreateIndex
CREATE INDEX "AppFileRevision_appId_path_id_idx" ON "AppFileRevision"("appId", "path", "id");

-- CreateIndex
CREATE INDEX "AppFileRevision_appId_id_idx" ON "AppFileRevision"("appId", "id");

-- CreateIndex
CREATE INDEX "AppDeployment_appId_contentHash_idx" ON "AppDeployment"("appId", "contentHash");

-- CreateIndex
CREATE UNIQUE INDEX "AppDeployment_appId_number_key" ON "AppDeployment"("appId", "number");

-- AddForeignKey
ALTER TABLE "App" ADD CONSTRAINT "App_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "App" ADD CONSTRAINT "App_activeDeploymentId_fkey" FOREIGN KEY ("activeDeploymentId") REFERENCES "AppDeployment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppFile" ADD CONSTRAINT "AppFile_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppFileRevision" ADD CONSTRAINT "AppFileRevision_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppDeployment" ADD CONSTRAINT "AppDeployment_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AppKvEntry" ADD CONSTRAINT "AppKvEntry_appId_fkey" FOREIGN KEY ("appId") REFERENCES "App"("id") ON DELETE CASCADE ON UPDATE CASCADE;
