// What the dashboard and the developer's pages read: proposal lists, one proposal with its diff
// against the deployed version, checks, README, votes and comments, and the CCF export.
import type { ProposalState } from "../db/generated/client";
import type { StoredBundle } from "../apps/bundle";
import { appManifestSchema } from "../apps/manifest";
import { AppError } from "../errors";
import { announceProposalAction } from "./announce-proposal-action";
import { diffBundles } from "./bundle-diff";
import { originChanges, permissionChanges, permissionsOf, runProposalChecks } from "./proposal-checks";
import { describeOriginScope, describePermissionScopes } from "../apps/permission-scopes";
import { isStaff, type Actor, type ReviewDeps } from "./review-deps";

const userSummary = { select: { id: true, username: true, displayName: true } } as const;

/** Staff see every proposal; others only their own. */
export async function listProposals(options: { deps: ReviewDeps; actor: Actor; state?: ProposalState; appId?: string; mine?: boolean; limit: number }) {
  const { actor } = options;
  const onlyMine = options.mine || !isStaff(actor);
  const proposals = await options.deps.prisma.proposal.findMany({
    where: {
      ...(options.state ? { state: options.state } : {}),
      ...(options.appId ? { appId: options.appId } : {}),
      ...(onlyMine ? { authorId: actor.userId } : {}),
    },
    orderBy: { number: "desc" },
    take: options.limit,
    select: {
      id: true,
      number: true,
      appId: true,
      kind: true,
      title: true,
      state: true,
      stateReason: true,
      deployStep: true,
      permissions: true,
      contentHash: true,
      createdAt: true,
      decidedAt: true,
      author: userSummary,
      votes: { select: { approve: true, voterId: true } },
      _count: { select: { comments: true } },
    },
  });
  return proposals.map(({ votes, ...proposal }) => ({
    ...proposal,
    approvals: votes.filter((vote) => vote.approve && vote.voterId !== proposal.author.id).length,
    rejections: votes.filter((vote) => !vote.approve && vote.voterId !== proposal.author.id).length,
  }));
}

async function readableProposal(deps: ReviewDeps, actor: Actor, proposalId: string) {
  const proposal = await deps.prisma.proposal.findUnique({
    where: { id: proposalId },
    include: {
      author: userSummary,
      votes: { include: { voter: userSummary }, orderBy: { createdAt: "asc" } },
      comments: { include: { author: userSummary }, orderBy: { id: "asc" } },
    },
  });
  if (!proposal || (proposal.authorId !== actor.userId && !isStaff(actor))) throw new AppError("NOT_FOUND", "No such proposal");
  return proposal;
}

function pagesOf(bundle: StoredBundle): { id: string; file: string; title: string }[] {
  const manifest = appManifestSchema.safeParse(bundle.metadata);
  return manifest.success ? Object.entries(manifest.data.pages).map(([id, page]) => ({ id, file: page.file, title: page.title })) : [];
}

function manifestName(bundle: StoredBundle): string | undefined {
  return appManifestSchema.safeParse(bundle.metadata).data?.name;
}

function readmeOf(bundle: StoredBundle): string | null {
  const readme = bundle.files.find((file) => /^readme(\.md|\.txt)?$/i.test(file.path));
  return readme ? Buffer.from(readme.base64, "base64").toString("utf8") : null;
}

export async function getProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string }) {
  const { deps } = options;
  const proposal = await readableProposal(deps, options.actor, options.proposalId);
  const app = await deps.prisma.app.findUnique({
    where: { id: proposal.appId },
    select: { id: true, name: true, ownerId: true, activeDeployment: { select: { id: true, number: true, contentHash: true, bundle: true } } },
  });
  const bundle = proposal.bundle as unknown as StoredBundle;
  // The diff is against what runs now, as a pull request diffs against the base branch's head.
  const deployed = (app?.activeDeployment?.bundle as unknown as StoredBundle | undefined) ?? null;
  const appName = manifestName(bundle) ?? app?.name ?? proposal.appId;
  return {
    ...proposal,
    bundle: undefined,
    app: app ? { id: app.id, name: app.name, activeDeployment: app.activeDeployment ? { id: app.activeDeployment.id, number: app.activeDeployment.number, contentHash: app.activeDeployment.contentHash } : null } : null,
    approvalsRequired: deps.approvalsRequired,
    approvals: proposal.votes.filter((vote) => vote.approve && vote.voterId !== proposal.authorId).length,
    rejections: proposal.votes.filter((vote) => !vote.approve && vote.voterId !== proposal.authorId).length,
    permissionChanges: permissionChanges(bundle, deployed),
    // What each permission lets the app do, in words: the reviewer approves these scopes.
    permissionScopes: describePermissionScopes({ appName, permissions: permissionsOf(bundle) }),
    // The other sites it may redirect to, be read by or load from: approval covers these too.
    declaredOrigins: originChanges(bundle, deployed).map((entry) => ({ ...entry, scope: describeOriginScope({ appName, ...entry }) })),
    checks: runProposalChecks({ bundle, deployed }),
    diff: diffBundles({ proposed: bundle, deployed }),
    readme: readmeOf(bundle),
    pages: pagesOf(bundle),
  };
}

/** The proposal as CCF's set_js_app proposal (Canopy's public files ride along in `files`). */
export async function exportProposalCcf(options: { deps: ReviewDeps; actor: Actor; proposalId: string }) {
  const proposal = await readableProposal(options.deps, options.actor, options.proposalId);
  const bundle = proposal.bundle as unknown as StoredBundle;
  return {
    actions: [
      {
        name: "set_js_app",
        args: { bundle: { metadata: bundle.metadata, modules: bundle.modules, files: bundle.files }, disable_bytecode_cache: proposal.disableBytecodeCache },
      },
    ],
  };
}

/** Runs the proposed snapshot in the app's private preview (author and staff), whatever the draft is now. */
export async function previewProposal(options: { deps: ReviewDeps; actor: Actor; proposalId: string }) {
  const { deps, actor } = options;
  const proposal = await readableProposal(deps, actor, options.proposalId);
  const result = await deps.runtime.startPreview({ appId: proposal.appId, actorId: actor.userId, bundle: proposal.bundle as unknown as StoredBundle });
  await announceProposalAction({ deps, actor, proposal, action: "proposal.previewed", details: { ok: result.ok } });
  return result;
}
