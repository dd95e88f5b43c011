import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getApp } from "@/server/apps/list-apps";
import { isAppError } from "@/server/errors";
import { services } from "@/server/services";
import { requireUser } from "../../../_lib/current-user";
import { Workbench } from "./_editor/workbench";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { id } = await params;
  return { title: `Edit ${id}` };
}

export default async function EditAppPage({ params }: Params) {
  const { id } = await params;
  const user = await requireUser(`/dev/apps/${encodeURIComponent(id)}`);
  const app = await getApp({ prisma: services().db.prisma, caller: user, appId: id }).catch((error: unknown) => {
    if (isAppError(error) && error.code === "NOT_FOUND") notFound();
    throw error;
  });
  return (
    <>
      <h1 className="visually-hidden">Editing {app.name}</h1>
      <Workbench appId={app.id} appName={app.name} />
    </>
  );
}
