// The templates /dev offers when creating an app.
import { blankTemplate } from "./blank";
import { chatBotTemplate } from "./chat-bot";
import { httpEndpointsTemplate } from "./http-endpoints";
import { pageRpcTemplate } from "./page-rpc";
import type { AppTemplate } from "./template";

export const appTemplates: readonly AppTemplate[] = [blankTemplate, chatBotTemplate, pageRpcTemplate, httpEndpointsTemplate];

export const templateIds = appTemplates.map((template) => template.id) as [string, ...string[]];

/** The files of template `templateId` for an app called `name`, as UTF-8 text. */
export function templateFiles(options: { templateId: string; name: string }): { path: string; content: string }[] {
  const template = appTemplates.find((candidate) => candidate.id === options.templateId);
  if (!template) throw new Error(`Unknown template ${options.templateId}`);
  return Object.entries(template.files(options.name)).map(([path, content]) => ({
    path,
    content: typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`,
  }));
}
