-- CreateEnum
CREATE TYPE "ProposalState" AS ENUM ('OPEN', 'ACCEPTED', 'REJECTED', 'WITHDRAWN', 'DROPPED', 'FAILED');

-- CreateEnum
CREATE TYPE "ProposalKind" AS ENUM ('DEPLOY', 'ROLLBACK');

-- CreateTable
CREATE TABLE "Proposal" (
    "id" TEXT NOT NULL,
    "number" SERIAL NOT NULL,
    "appId" TEXT NOT NULL,
    "kind" "ProposalKind" NOT NULL DEFAULT 'DEPLOY',
    "authorId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "changelog" TEXT NOT NULL DEFAULT '',
    "bundle" JSONB NOT NULL,
    "contentHash" TEXT NOT NULL,
    "disableBytecodeCache" BOOLEAN NOT NULL DEFAULT false,
    "permissions" TEXT[],
    "baseDeploymentId" TEXT,
    "rollbackOfDeploymentId" TEXT,
    "state" "ProposalState" NOT NULL DEFAULT 'OPEN',
    "stateReason" TEXT,
    "deployStep" TEXT,
    "deploymentId" TEXT,
    "supersededById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "Proposal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProposalVote" (
    "proposalId" TEXT NOT NULL,
    "voterId" TEXT NOT NULL,
    "approve" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProposalVote_pkey" PRIMARY KEY ("proposalId","voterId")
);

-- CreateTable
CREATE TABLE "ProposalComment" (
    "id" SERIAL NOT NULL,
    "proposalId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "path" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ProposalComment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLogEntry" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorName" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "appId" TEXT,
    "proposalId" TEXT,
    "deploymentId" TEXT,
    "bundleHash" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "AuditLogEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" SERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "proposalId" TEXT,
    "state" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "readAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Proposal_number_key" ON "Proposal"("number");

-- CreateIndex
CREATE INDEX "Proposal_state_createdAt_idx" ON "Proposal"("state", "createdAt");

-- CreateIndex
CREATE INDEX "Proposal_appId_state_idx" ON "Proposal"("appId", "state");

-- CreateIndex
CREATE INDEX "Proposal_authorId_idx" ON "Proposal"("authorId");

-- CreateIndex
CREATE INDEX "ProposalComment_proposalId_id_idx" ON "ProposalComment"("proposalId", "id");

-- CreateIndex
CREATE INDEX "AuditLogEntry_at_idx" ON "AuditLogEntry"("at");

-- CreateIndex
CREATE INDEX "AuditLogEntry_appId_at_idx" ON "AuditLogEntry"("appId", "at");

-- CreateIndex
CREATE INDEX "AuditLogEntry_action_at_idx" ON "AuditLogEntry"("action", "at");

-- CreateIndex
CREATE INDEX "AuditLogEntry_actorId_at_idx" ON "AuditLogEntry"("actorId", "at");

-- CreateIndex
CREATE INDEX "Notification_userId_id_idx" ON "Notification"("userId", "id");

-- AddForeignKey
ALTER TABLE "Proposal" ADD CONSTRAINT "Proposal_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProposalVote" ADD CONSTRAINT "ProposalVote_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProposalVote" ADD CONSTRAINT "ProposalVote_voterId_fkey" FOREIGN KEY ("voterId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProposalComment" ADD CONSTRAINT "ProposalComment_proposalId_fkey" FOREIGN KEY ("proposalId") REFERENCES "Proposal"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProposalComment" ADD CONSTRAINT "ProposalComment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Notification" ADD CONSTRAINT "Notification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the audit log is append-only in the database too, so no code path (or a bug) can
-- rewrite history. Prisma's schema language cannot express triggers.
CREATE FUNCTION "AuditLogEntry_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'AuditLogEntry is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "AuditLogEntry_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "AuditLogEntry"
  FOR EACH ROW EXECUTE FUNCTION "AuditLogEntry_append_only"();
