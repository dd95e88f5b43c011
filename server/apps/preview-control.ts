// The editor's preview: the app's current draft in a private isolate that only its developer and
// staff reach. Access is checked here; the runtime (services().apps) does the work.
import type { Caller } from "../auth/caller";
import type { PrismaClient } from "../db/generated/client";
import { loadEditableApp } from "./app-access";
import type { AppRuntimeControl } from "./runtime-contract";

type PreviewOptions = { prisma: PrismaClient; runtime: AppRuntimeControl; caller: Caller | null; appId: string };

/** (Re)starts the preview from the saved draft; a draft that does not validate or start comes back with its issues. */
export async function startAppPreview(options: PreviewOptions) {
  const app = await loadEditableApp(options);
  return options.runtime.startPreview({ appId: app.id, actorId: options.caller!.userId });
}

export async function stopAppPreview(options: PreviewOptions) {
  const app = await loadEditableApp(options);
  await options.runtime.stopPreview({ appId: app.id });
  return options.runtime.status({ appId: app.id, target: "preview" });
}

export async function appPreviewStatus(options: PreviewOptions) {
  const app = await loadEditableApp(options);
  return options.runtime.status({ appId: app.id, target: "preview" });
}
