// Which app pages the platform shows, and where. A page is declared in the active deployment's
// app.json, published by the app's server script (canopy.pages.publish), and shown while the app
// runs: at /a/<app>/<page> always, and in the other placements its manifest asks for only once
// staff allowed them.
import type { Caller } from "../../auth/caller";
import type { PrismaClient } from "../../db/generated/client";
import { hasRole } from "../../accounts/schemas";
import { AppError } from "../../errors";
import { appManifestSchema, type AppManifest, type pagePlacementSchema } from "../manifest";
import { canEditApp } from "../app-access";
import type { z } from "zod";

export type PagePlacement = z.infer<typeof pagePlacementSchema>;
/** Placements that put an app's page inside the platform's own pages; staff decide them. */
export const staffPlacements = ["channel-tab", "nav", "chat-card"] as const satisfies readonly PagePlacement[];
export type StaffPlacement = (typeof staffPlacements)[number];

export type ShownPage = {
  appId: string;
  appName: string;
  pageId: string;
  title: string;
  /** The HTML file among the app's public files. */
  file: string;
  /** The placements the manifest asks for that staff allowed (always includes "page"). */
  placements: PagePlacement[];
};

/** Deployments never change: their manifests are kept (a bounded few), so the pages shown on every
 * request do not load whole bundles. */
const deployedManifests = new Map<string, AppManifest | null>();
const maxCachedManifests = 500;

async function deployedManifest(prisma: PrismaClient, deploymentId: string | null): Promise<AppManifest | null> {
  if (!deploymentId) return null;
  if (deployedManifests.has(deploymentId)) return deployedManifests.get(deploymentId)!;
  const deployment = await prisma.appDeployment.findUnique({ where: { id: deploymentId }, select: { bundle: true } });
  const manifest = manifestOf(deployment?.bundle);
  if (deployedManifests.size >= maxCachedManifests) deployedManifests.delete(deployedManifests.keys().next().value!);
  deployedManifests.set(deploymentId, manifest);
  return manifest;
}

function manifestOf(bundle: unknown): AppManifest | null {
  const metadata = (bundle as { metadata?: unknown } | null)?.metadata;
  const parsed = appManifestSchema.safeParse(metadata);
  return parsed.success ? parsed.data : null;
}

function shownPage(app: { id: string; name: string }, manifest: AppManifest, state: { pageId: string; title: string | null; allowedPlacements: string[] }): ShownPage | null {
  const declared = manifest.pages[state.pageId];
  if (!declared) return null;
  const placements: PagePlacement[] = ["page", ...declared.placements.filter((placement): placement is StaffPlacement => placement !== "page" && state.allowedPlacements.includes(placement))];
  return { appId: app.id, appName: manifest.name ?? app.name, pageId: state.pageId, title: state.title ?? declared.title, file: declared.file, placements };
}

/** Records canopy.pages.publish/unpublish of an app's live deployment (the preview publishes nothing). */
export async function recordPagePublication(options: { prisma: PrismaClient; appId: string; pageId: string; published: boolean; title?: string }) {
  // The deployment publishing may not be the active one yet (main runs before the switch), so
  // the manifest is checked when the page is shown, not here.
  const app = await options.prisma.app.findUnique({ where: { id: options.appId }, select: { id: true } });
  if (!app) throw new AppError("NOT_FOUND", `No app named ${options.appId}`);
  const title = options.published ? (options.title ?? null) : undefined;
  const publishedAt = options.published ? new Date() : undefined;
  await options.prisma.appPageState.upsert({
    where: { appId_pageId: { appId: options.appId, pageId: options.pageId } },
    create: { appId: options.appId, pageId: options.pageId, published: options.published, title: title ?? null, publishedAt: publishedAt ?? null },
    update: { published: options.published, ...(title !== undefined ? { title, publishedAt } : {}) },
  });
}

/**
 * After a new deployment went live: pages the old one published and the new one's start did not
 * publish again are hidden (as JAF does when an app restarts). Publications arriving after the
 * switch are newer than `since` and stay.
 */
export async function unpublishStalePages(options: { prisma: PrismaClient; appId: string; since: Date }) {
  await options.prisma.appPageState.updateMany({
    where: { appId: options.appId, published: true, OR: [{ publishedAt: null }, { publishedAt: { lt: options.since } }] },
    data: { published: false },
  });
}

/** Every published page of running apps shown in `placement` (all of them for "page"). */
export async function listShownPages(options: { prisma: PrismaClient; placement: PagePlacement }): Promise<ShownPage[]> {
  const states = await options.prisma.appPageState.findMany({
    where: { published: true, app: { runState: "RUNNING", activeDeploymentId: { not: null } }, ...(options.placement === "page" ? {} : { allowedPlacements: { has: options.placement } }) },
    select: { pageId: true, title: true, allowedPlacements: true, app: { select: { id: true, name: true, activeDeploymentId: true } } },
    orderBy: [{ appId: "asc" }, { pageId: "asc" }],
    take: 200,
  });
  const pages: ShownPage[] = [];
  for (const state of states) {
    const manifest = await deployedManifest(options.prisma, state.app.activeDeploymentId);
    const page = manifest && shownPage(state.app, manifest, state);
    if (page?.placements.includes(options.placement)) pages.push(page);
  }
  return pages;
}

/**
 * One page for /a/<app>/<page>. The live page must be published by a running app; the preview
 * (the draft's isolate) is for the app's editors only, and shows any page the draft declares.
 */
export async function loadShownPage(options: { prisma: PrismaClient; caller: Caller | null; appId: string; pageId: string; target: "live" | "preview" }): Promise<ShownPage> {
  const missing = new AppError("NOT_FOUND", `No page ${options.appId}/${options.pageId}`);
  const app = await options.prisma.app.findUnique({
    where: { id: options.appId },
    select: { id: true, name: true, ownerId: true, runState: true, activeDeploymentId: true, pageStates: { where: { pageId: options.pageId } } },
  });
  if (!app) throw missing;
  if (options.target === "preview") {
    if (!canEditApp(options.caller, app)) throw missing;
    const draft = await options.prisma.appFile.findUnique({ where: { appId_path: { appId: app.id, path: "app.json" } }, select: { content: true } });
    let manifest: AppManifest | null = null;
    try {
      manifest = draft ? manifestOf({ metadata: JSON.parse(Buffer.from(draft.content).toString("utf8")) }) : null;
    } catch {
      manifest = null;
    }
    const page = manifest && shownPage(app, manifest, { pageId: options.pageId, title: null, allowedPlacements: [] });
    if (!page) throw missing;
    return page;
  }
  const state = app.pageStates[0];
  const manifest = await deployedManifest(options.prisma, app.activeDeploymentId);
  if (!state?.published || app.runState !== "RUNNING" || !manifest) throw missing;
  const page = shownPage(app, manifest, state);
  if (!page) throw missing;
  return page;
}

/** Staff: every page the active deployments declare, with what the manifest asks and what is allowed. */
export async function listPagePlacements(options: { prisma: PrismaClient; caller: Caller | null }) {
  if (!options.caller || !hasRole(options.caller.role, "STAFF")) throw new AppError("FORBIDDEN", "Only staff manage app placements");
  const apps = await options.prisma.app.findMany({
    where: { activeDeploymentId: { not: null } },
    select: { id: true, name: true, runState: true, activeDeploymentId: true, pageStates: true },
    orderBy: { id: "asc" },
    take: 500,
  });
  const manifests = await Promise.all(apps.map((app) => deployedManifest(options.prisma, app.activeDeploymentId)));
  return apps.flatMap((app, index) => {
    const manifest = manifests[index];
    if (!manifest) return [];
    return Object.entries(manifest.pages).map(([pageId, page]) => {
      const state = app.pageStates.find((candidate) => candidate.pageId === pageId);
      return {
        appId: app.id,
        appName: manifest.name ?? app.name,
        running: app.runState === "RUNNING",
        pageId,
        title: state?.title ?? page.title,
        published: state?.published ?? false,
        requested: page.placements.filter((placement): placement is StaffPlacement => placement !== "page"),
        allowed: (state?.allowedPlacements ?? []).filter((placement): placement is StaffPlacement => (staffPlacements as readonly string[]).includes(placement)),
      };
    });
  });
}

/** Staff: where one page may show. Only placements its manifest asks for can be allowed. */
export async function setPagePlacements(options: { prisma: PrismaClient; caller: Caller | null; appId: string; pageId: string; allowed: StaffPlacement[] }) {
  if (!options.caller || !hasRole(options.caller.role, "STAFF")) throw new AppError("FORBIDDEN", "Only staff manage app placements");
  const app = await options.prisma.app.findUnique({ where: { id: options.appId }, select: { activeDeploymentId: true } });
  const declared = (await deployedManifest(options.prisma, app?.activeDeploymentId ?? null))?.pages[options.pageId];
  if (!declared) throw new AppError("NOT_FOUND", `No page ${options.appId}/${options.pageId} in the active deployment`);
  const notRequested = options.allowed.filter((placement) => !declared.placements.includes(placement));
  if (notRequested.length) throw new AppError("BAD_REQUEST", `app.json does not ask for ${notRequested.join(", ")} on page ${options.pageId}`);
  const allowedPlacements = [...new Set(options.allowed)];
  await options.prisma.appPageState.upsert({
    where: { appId_pageId: { appId: options.appId, pageId: options.pageId } },
    create: { appId: options.appId, pageId: options.pageId, allowedPlacements },
    update: { allowedPlacements },
  });
  return { appId: options.appId, pageId: options.pageId, allowed: allowedPlacements };
}
