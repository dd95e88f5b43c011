// Matching a request path to app.json's endpoint templates, CCF's authn policies, and the
// OpenAPI document merged from the endpoints' `openapi` parts. Pure functions.
import type { Caller } from "../auth/caller";
import { normalizeEndpoints, type AppManifest, type AuthnPolicy, type EndpointDefinition } from "./manifest";

export type EndpointMatch = { template: string; params: Record<string, string>; endpoint?: EndpointDefinition; allowed: string[] };

const templateCache = new WeakMap<AppManifest, { template: string; pattern: RegExp; names: string[] }[]>();

function compiled(manifest: AppManifest) {
  let list = templateCache.get(manifest);
  if (!list) {
    list = Object.keys(manifest.endpoints).map((template) => {
      const names: string[] = [];
      const source = template
        .split("/")
        .map((segment) => {
          const param = /^\{(\w+)\}$/.exec(segment);
          if (param) {
            names.push(param[1]!);
            return "([^/]+)";
          }
          return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("/");
      return { template, pattern: new RegExp(`^${source}$`), names };
    });
    // Literal paths win over templated ones ("/items/new" before "/items/{id}").
    list.sort((a, b) => a.names.length - b.names.length);
    templateCache.set(manifest, list);
  }
  return list;
}

/** The endpoint for `path` and `method`; `endpoint` is undefined when only other methods exist. */
export function matchEndpoint(manifest: AppManifest, method: string, path: string): EndpointMatch | null {
  const endpoints = normalizeEndpoints(manifest.endpoints);
  for (const { template, pattern, names } of compiled(manifest)) {
    const match = pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    try {
      names.forEach((name, index) => (params[name] = decodeURIComponent(match[index + 1]!)));
    } catch {
      return null;
    }
    const methods = endpoints[template] ?? {};
    return { template, params, endpoint: methods[method.toLowerCase() as "get"], allowed: Object.keys(methods).map((name) => name.toUpperCase()) };
  }
  return null;
}

function policyPasses(policy: AuthnPolicy, caller: Caller | null): boolean {
  if (typeof policy === "object") return policy.all_of.every((inner) => policyPasses(inner, caller));
  switch (policy) {
    case "no_auth":
      return true;
    case "jwt":
      return caller?.via === "token";
    case "staff":
    case "member_cert":
    case "member_cose_sign1":
      return caller?.role === "STAFF";
    default:
      return caller !== null;
  }
}

/** CCF semantics: any one policy passing admits the call; an empty list admits anyone. */
export function authnAllows(policies: AuthnPolicy[], caller: Caller | null): boolean {
  return policies.length === 0 || policies.some((policy) => policyPasses(policy, caller));
}

export function needsCaller(policies: AuthnPolicy[]): boolean {
  return policies.length > 0 && !policies.includes("no_auth");
}

export function openApiDocument(manifest: AppManifest, appId: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [template, methods] of Object.entries(normalizeEndpoints(manifest.endpoints))) {
    const operations: Record<string, unknown> = {};
    for (const [method, endpoint] of Object.entries(methods)) {
      if (endpoint) operations[method] = { responses: { default: { description: "Default response" } }, ...(endpoint.openapi ?? {}) };
    }
    paths[template] = operations;
  }
  return { openapi: "3.0.0", info: { title: manifest.name ?? appId, version: manifest.version ?? "0.0.0" }, servers: [{ url: `/apps/${appId}/api` }], paths };
}
