// Binds the review domain to the running server's services (database, runtime, /apps sockets).
import { deployBundle } from "../apps/deploy-bundle";
import { services } from "../services";
import { createSocketReviewNotifier } from "./notifications";
import type { ReviewDeps } from "./review-deps";

export function reviewDeps(): ReviewDeps {
  const { db, apps, io, env } = services();
  return {
    prisma: db.prisma,
    runtime: apps,
    notifier: createSocketReviewNotifier(io),
    approvalsRequired: env.REVIEW_APPROVALS,
    deploy: (options) => deployBundle({ prisma: db.prisma, runtime: apps, ...options }),
  };
}
