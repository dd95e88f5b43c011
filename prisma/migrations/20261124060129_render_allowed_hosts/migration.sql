-- CreateTable
CREATE TABLE "RenderAllowedHost" (
    "host" TEXT NOT NULL,
    "addedBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RenderAllowedHost_pkey" PRIMARY KEY ("host")
);
