// app.json: the bundle's metadata. CCF's `endpoints` form is accepted as it is (lower- or
// upper-case methods, CCF's policy and mode names); Canopy adds name, version, main, pages and
// permissions. The same zod schema validates on save, on deploy and in the worker, and
// `manifestJsonSchema()` gives the editor a JSON Schema of it.
import { z } from "zod";
import { pageCspSchema } from "./pages/page-csp";

export const appIdSchema = z
  .string()
  .min(2, "App id must be at least 2 characters")
  .max(40, "App id must be at most 40 characters")
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "App id may contain lowercase letters, digits and dashes");

/**
 * Platform modules an app may ask for; the reviewer sees them and the runtime gates `canopy.*` on
 * them. `users:read-roles` widens what `users` reads (server/apps/app-users.ts).
 */
export const permissionNames = ["chat", "kv", "rpc", "pages", "streams", "users", "users:read-roles", "log"] as const;
export const permissionSchema = z.enum(permissionNames);
export type Permission = z.infer<typeof permissionSchema>;

/** Canopy's policies; CCF's certificate policies are accepted and mean a signed-in user (member_cert: staff). */
const authnPolicyNames = ["no_auth", "user", "staff", "jwt", "user_cert", "member_cert", "any_cert", "user_cose_sign1", "member_cose_sign1"] as const;
export const authnPolicySchema = z.union([
  z.enum(authnPolicyNames),
  z.object({ all_of: z.array(z.enum(authnPolicyNames)).min(1) }).strict(),
]);
export type AuthnPolicy = z.infer<typeof authnPolicySchema>;

export const httpMethods = ["get", "post", "put", "patch", "delete", "head", "options"] as const;
export type HttpMethod = (typeof httpMethods)[number];

/** A module path inside src/, relative ("main.ts", "endpoints/all.js"); no "..", no leading "/". */
export const modulePathSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9_@./-]+\.(?:js|mjs|ts|mts)$/, "Module must be a relative .js or .ts path inside src/");

const endpointSchema = z
  .object({
    js_module: modulePathSchema,
    js_function: z.string().min(1).max(100).regex(/^[A-Za-z_$][\w$]*$/, "js_function must be an exported function name"),
    authn_policies: z.array(authnPolicySchema).default(["no_auth"]),
    mode: z.enum(["readwrite", "readonly", "historical"]).default("readwrite"),
    interpreter_reuse: z.object({ key: z.string().min(1).max(100) }).strict().optional(),
    openapi: z.record(z.string(), z.unknown()).optional(),
    // CCF fields with no meaning on a single-writer platform: accepted and ignored.
    forwarding_required: z.enum(["always", "sometimes", "never"]).optional(),
    redirection_strategy: z.string().optional(),
  })
  .strict();
export type EndpointDefinition = z.output<typeof endpointSchema>;

/** "/polls/{id}/votes": literal segments and {param} segments. */
export const endpointPathSchema = z
  .string()
  .max(300)
  .regex(/^\/(?:(?:[A-Za-z0-9._~!$&'()*+,;=:@-]+|\{[A-Za-z_][A-Za-z0-9_]*\})(?:\/(?:[A-Za-z0-9._~!$&'()*+,;=:@-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))*)?$/, "Endpoint path must start with / and use {param} segments");

const methodMapSchema = z.record(z.string(), endpointSchema).superRefine((methods, ctx) => {
  for (const method of Object.keys(methods)) {
    if (!(httpMethods as readonly string[]).includes(method.toLowerCase())) {
      ctx.addIssue({ code: "custom", path: [method], message: `Unknown HTTP method "${method}"` });
    }
  }
});

/** An https origin as browsers write it (no path, no wildcard, no default port): what redirects and cors list. */
export const httpsOriginSchema = z
  .string()
  .max(200)
  .regex(/^https:\/\/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+(?::\d{1,5})?$/, "An origin is https://host or https://host:port, such as https://example.com")
  .refine((origin) => URL.canParse(origin) && new URL(origin).origin === origin, "Write the origin as browsers do: no default port (:443), a port below 65536");

export const pagePlacementSchema = z.enum(["page", "channel-tab", "nav", "chat-card"]);

const pageSchema = z
  .object({
    /** An HTML file among the public files, e.g. "pages/index.html". */
    file: z.string().min(1).max(200).regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9_@./-]+\.html?$/, "Page file must be a relative .html path"),
    title: z.string().min(1).max(80),
    placements: z.array(pagePlacementSchema).max(4).default(["page"]),
  })
  .strict();

export const appManifestSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).max(80).optional(),
    version: z.string().max(40).optional(),
    description: z.string().max(2000).optional(),
    /** The long-lived module (JAF's server script), started with the app; optional. */
    main: modulePathSchema.optional(),
    endpoints: z.record(endpointPathSchema, methodMapSchema).default({}),
    pages: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "Page ids are lowercase letters, digits and dashes"), pageSchema).default({}),
    permissions: z.array(permissionSchema).default([]),
    /** Extra https origins for the pages' images, media, fonts and styles (see pages/page-csp.ts). */
    csp: pageCspSchema.optional(),
    /** Other sites an endpoint may redirect to with `location` (see app-response-headers.ts). */
    redirects: z.array(httpsOriginSchema).max(20).default([]),
    /** Sites that may read the endpoints' responses (`access-control-allow-origin`); "*" means any site. */
    cors: z.array(z.union([z.literal("*"), httpsOriginSchema])).max(20).default([]),
    /** Opts into CCF's untrusted-time stub: without it Date.now() is real time. */
    ccf_untrusted_date_time: z.boolean().optional(),
  })
  .strict()
  .refine((manifest) => !manifest.permissions.includes("users:read-roles") || manifest.permissions.includes("users"), {
    path: ["permissions"],
    message: '"users:read-roles" widens "users": ask for both',
  });

export type AppManifest = z.output<typeof appManifestSchema>;
export type AppManifestInput = z.input<typeof appManifestSchema>;

/** The JSON Schema of app.json, served to the editor. */
export function manifestJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(appManifestSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}

/** Every method name lower-cased, so "GET" and "get" mean one endpoint. */
export function normalizeEndpoints(endpoints: AppManifest["endpoints"]): Record<string, Partial<Record<HttpMethod, EndpointDefinition>>> {
  const normalized: Record<string, Partial<Record<HttpMethod, EndpointDefinition>>> = {};
  for (const [path, methods] of Object.entries(endpoints)) {
    const byMethod: Partial<Record<HttpMethod, EndpointDefinition>> = {};
    for (const [method, definition] of Object.entries(methods)) byMethod[method.toLowerCase() as HttpMethod] = definition;
    normalized[path] = byMethod;
  }
  return normalized;
}
