// A developer proposes a bundle for an app: a snapshot of the app's draft, or a CCF set_js_app
// proposal made elsewhere (the CLI). Older open proposals for the same app are Dropped, as a new
// push supersedes a pull request's earlier head.
import type { Prisma } from "../db/generated/client";
import { loadEditableApp } from "../apps/app-access";
import { bundleHash, describeBundleIssue, validateBundle, type StoredBundle } from "../apps/bundle";
import { readDraftBundle } from "../apps/read-app-files";
import { parseCcfProposal } from "../apps/ccf-proposal";
import { AppError } from "../errors";
import { recordAudit } from "./audit-log";
import { dropSupersededProposals } from "./drop-proposals";
import { notifyUsers, staffUserIds } from "./notifications";
import { permissionsOf } from "./proposal-checks";
import type { Actor, ReviewDeps } from "./review-deps";

export type ProposalSource = { kind: "draft" } | { kind: "ccf"; proposal: unknown };

export async function submitProposal(options: {
  deps: ReviewDeps;
  actor: Actor;
  appId: string;
  title: string;
  changelog: string;
  source: ProposalSource;
}) {
  const { deps, actor } = options;
  const { prisma } = deps;
  const app = await loadEditableApp({ prisma, caller: actor, appId: options.appId });

  let bundle: StoredBundle;
  let disableBytecodeCache = false;
  if (options.source.kind === "draft") {
    bundle = await readDraftBundle({ prisma, appId: app.id });
  } else {
    const parsed = parseCcfProposal(options.source.proposal);
    bundle = parsed.bundle;
    disableBytecodeCache = parsed.disableBytecodeCache;
  }
  const validation = validateBundle(bundle);
  if (validation.issues.length) {
    const first = validation.issues.slice(0, 5).map(describeBundleIssue);
    throw new AppError("BAD_REQUEST", `The bundle is not valid: ${first.join("; ")}`, { issues: validation.issues });
  }

  const contentHash = bundleHash(bundle);
  const proposal = await prisma.proposal.create({
    data: {
      appId: app.id,
      authorId: actor.userId,
      title: options.title,
      changelog: options.changelog,
      bundle: bundle as unknown as Prisma.InputJsonValue,
      contentHash,
      disableBytecodeCache,
      permissions: permissionsOf(bundle),
      baseDeploymentId: app.activeDeploymentId,
    },
  });
  await recordAudit({
    prisma,
    actor,
    action: "proposal.submitted",
    appId: app.id,
    proposalId: proposal.id,
    bundleHash: contentHash,
    details: { number: proposal.number, title: proposal.title, source: options.source.kind, permissions: proposal.permissions },
  });
  await dropSupersededProposals({ deps, actor, newer: proposal });
  await notifyUsers({
    prisma,
    notifier: deps.notifier,
    userIds: (await staffUserIds(prisma)).filter((id) => id !== actor.userId),
    kind: "proposal.opened",
    appId: app.id,
    proposalId: proposal.id,
    state: proposal.state,
    message: `${actor.username} proposed #${proposal.number} for ${app.id}: ${proposal.title}`,
  });
  return proposal;
}
