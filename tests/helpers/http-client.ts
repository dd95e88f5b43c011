// A tiny HTTP client for tests: keeps cookies and sends its Origin on writes like a browser on the
// platform's own pages, speaks tRPC (superjson) and next-auth's credentials flow.
import superjson from "superjson";

export class TestClient {
  private readonly cookies = new Map<string, string>();
  bearer?: string;

  constructor(readonly baseUrl: string) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async fetch(pathname: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", this.cookieHeader());
    if (this.bearer) headers.set("authorization", `Bearer ${this.bearer}`);
    const method = (init.method ?? "GET").toUpperCase();
    if (method !== "GET" && method !== "HEAD" && !headers.has("origin")) headers.set("origin", new URL(this.baseUrl).origin);
    const response = await fetch(this.baseUrl + pathname, { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const index = pair!.indexOf("=");
      const name = pair!.slice(0, index);
      const value = pair!.slice(index + 1);
      if (value === "" || /max-age=0/i.test(cookie)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  async mutation<T = unknown>(procedure: string, input?: unknown): Promise<{ status: number; data?: T; error?: { message: string; code: number; data: { code: string } } }> {
    const response = await this.fetch(`/api/trpc/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(superjson.serialize(input)),
    });
    return this.parse<T>(response);
  }

  async query<T = unknown>(procedure: string, input?: unknown): Promise<{ status: number; data?: T; error?: { message: string; code: number; data: { code: string } } }> {
    const search = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
    return this.parse<T>(await this.fetch(`/api/trpc/${procedure}${search}`));
  }

  private async parse<T>(response: Response) {
    const body = (await response.json()) as { result?: { data: Parameters<typeof superjson.deserialize>[0] }; error?: { json: { message: string; code: number; data: { code: string } } } };
    if (body.error) return { status: response.status, error: body.error.json };
    return { status: response.status, data: superjson.deserialize<T>(body.result!.data) };
  }

  /** next-auth's credentials sign-in, as the browser does it. */
  async signIn(username: string, password: string): Promise<boolean> {
    const csrf = (await (await this.fetch("/api/auth/csrf")).json()) as { csrfToken: string };
    const response = await this.fetch("/api/auth/callback/credentials", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username, password, csrfToken: csrf.csrfToken, json: "true" }).toString(),
    });
    await response.text();
    return [...this.cookies.keys()].some((name) => name.includes("session-token"));
  }
}
