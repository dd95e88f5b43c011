import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { isAppError } from "@/server/errors";
import { loadShownPage } from "@/server/apps/pages/page-state";
import { services } from "@/server/services";
import { currentUser } from "../../../_lib/current-user";
import { AppFrame } from "../../../_components/apps/app-frame";
import { frameUserOf } from "../../../_components/apps/frame-user";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ app: string; page: string }>; searchParams: Promise<{ preview?: string }> };

/** The published page, or the draft's preview for its editors (?preview=1); anything else is 404. */
async function load({ params, searchParams }: Params) {
  const [{ app, page }, { preview }, user] = await Promise.all([params, searchParams, currentUser()]);
  const target = preview === "1" ? ("preview" as const) : ("live" as const);
  try {
    return { page: await loadShownPage({ prisma: services().db.prisma, caller: user, appId: app, pageId: page, target }), user, target };
  } catch (error) {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  }
}

export async function generateMetadata(props: Params): Promise<Metadata> {
  const { page } = await load(props);
  return { title: `${page.title} · ${page.appName}` };
}

/** An app's page on its own: /a/<app>/<page>. */
export default async function AppPage(props: Params) {
  const { page, user, target } = await load(props);
  return (
    <div className="stack">
      <p className="eyebrow">{target === "preview" ? `Preview of ${page.appName}` : page.appName}</p>
      <AppFrame
        appId={page.appId}
        appName={page.appName}
        pageId={page.pageId}
        file={page.file}
        title={page.title}
        user={frameUserOf(user)}
        placement="page"
        target={target}
        minHeight={480}
        showTitle
      />
    </div>
  );
}
