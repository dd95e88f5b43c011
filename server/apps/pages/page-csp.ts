// The Content-Security-Policy of an app's public files. The base policy (server/apps/app-http.ts)
// sandboxes the page and allows only the platform's own host. app.json may add https origins to
// the directives that only load passive content (images, media, fonts, styles) — never scripts,
// frames or connections, and never anything that lifts the sandbox.
import { z } from "zod";

const cspSourceSchema = z
  .string()
  .max(200)
  .regex(/^https:\/\/(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?$/, "A CSP source must be an https origin such as https://images.example.com or https://*.example.com");

export const relaxableDirectives = ["img-src", "media-src", "font-src", "style-src"] as const;

/** app.json's `csp`: extra https origins per passive-content directive. */
export const pageCspSchema = z
  .object(Object.fromEntries(relaxableDirectives.map((directive) => [directive, z.array(cspSourceSchema).max(20).optional()])) as Record<(typeof relaxableDirectives)[number], z.ZodOptional<z.ZodArray<typeof cspSourceSchema>>>)
  .strict();
export type PageCsp = z.output<typeof pageCspSchema>;

/** The base policy with the manifest's extra sources appended to their directives. */
export function pageCsp(base: string, extra: PageCsp | undefined): string {
  if (!extra) return base;
  const directives = base.split(";").map((part) => part.trim());
  for (const name of relaxableDirectives) {
    const sources = extra[name];
    if (!sources?.length) continue;
    const index = directives.findIndex((directive) => directive.startsWith(`${name} `));
    if (index >= 0) directives[index] = `${directives[index]} ${sources.join(" ")}`;
    else directives.push(`${name} 'self' ${sources.join(" ")}`);
  }
  return directives.join("; ");
}
