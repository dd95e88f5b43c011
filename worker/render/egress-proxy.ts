// Chromium's only way out: a forward proxy on loopback that resolves every host itself, refuses
// non-public addresses, and connects to exactly the address it checked (so DNS rebinding cannot
// slip a private address in between the check and the connection). Every request of every render
// session passes here — documents, redirects, subresources, WebSockets, iframes — because
// Chromium runs with --proxy-server pointing at it and `<-loopback>` removed from the bypass list.
// Canopy's own origins are the one exception (they may be on loopback in development and tests).
import dns from "node:dns";
import http from "node:http";
import net from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "../../server/logger";
import { resolveHost, type LookupAll } from "../../server/render/url-policy";

export type EgressProxy = { port: number; url: string; close(): Promise<void>; refusals: number };

const hopByHop = new Set(["connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade"]);

export const systemLookup: LookupAll = async (host) => (await dns.promises.lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

export async function startEgressProxy(options: { ownOrigins: () => readonly string[]; logger: Logger; lookup?: LookupAll }): Promise<EgressProxy> {
  const lookup = options.lookup ?? systemLookup;
  const log = options.logger;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const state = { refusals: 0 };

  /** Own origins pass as they are; anything else must resolve to public addresses only. */
  async function destination(host: string, port: number, scheme: "http" | "https"): Promise<{ address: string } | { reason: string }> {
    const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
    const defaultPort = scheme === "https" ? 443 : 80;
    for (const origin of options.ownOrigins()) {
      const own = new URL(origin);
      const ownPort = Number(own.port || (own.protocol === "https:" ? 443 : 80));
      // CONNECT does not say the scheme; a tunnel to the own host and port is the own origin.
      if (own.hostname.replace(/^\[|\]$/g, "").toLowerCase() === bare && ownPort === (port || defaultPort)) return { address: bare };
    }
    const resolved = await resolveHost(bare, lookup);
    if ("reason" in resolved) return resolved;
    return { address: resolved.addresses[0]! };
  }

  function refuse(reason: string, target: string): void {
    state.refusals += 1;
    log.debug("egress refused", { target, reason });
  }

  const server = http.createServer((request, response) => {
    void (async () => {
      let url: URL;
      try {
        url = new URL(request.url ?? "");
      } catch {
        response.writeHead(400).end("Absolute URL required");
        return;
      }
      if (url.protocol !== "http:") {
        response.writeHead(400).end("Only http through the forward path");
        return;
      }
      const target = await destination(url.hostname, Number(url.port || 80), "http");
      if ("reason" in target) {
        refuse(target.reason, url.host);
        response.writeHead(403, { "content-type": "text/plain" }).end(`Blocked by Canopy's render policy: ${target.reason}`);
        return;
      }
      const headers: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(request.headers)) if (!hopByHop.has(name) && value !== undefined) headers[name] = value;
      headers.host = url.host;
      const upstream = http.request(
        { host: target.address, port: Number(url.port || 80), method: request.method, path: url.pathname + url.search, headers, agent, setHost: false },
        (upstreamResponse) => {
          const responseHeaders: http.OutgoingHttpHeaders = {};
          for (const [name, value] of Object.entries(upstreamResponse.headers)) if (!hopByHop.has(name) && value !== undefined) responseHeaders[name] = value;
          response.writeHead(upstreamResponse.statusCode ?? 502, responseHeaders);
          upstreamResponse.pipe(response);
        },
      );
      upstream.on("error", () => {
        if (!response.headersSent) response.writeHead(502).end("Upstream failed");
        else response.destroy();
      });
      request.pipe(upstream);
    })().catch(() => response.destroy());
  });

  function tunnel(socket: Duplex, head: Buffer, hostPort: string, onOpen: (upstream: net.Socket) => void): void {
    const match = hostPort.match(/^(\[[^\]]+\]|[^:]+):(\d{1,5})$/);
    if (!match) {
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    const port = Number(match[2]);
    void destination(match[1]!, port, "https").then((target) => {
      if ("reason" in target) {
        refuse(target.reason, hostPort);
        socket.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nBlocked by Canopy's render policy: ${target.reason}`);
        return;
      }
      const upstream = net.connect({ host: target.address, port }, () => {
        onOpen(upstream);
        if (head.length) upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      const closeBoth = () => {
        upstream.destroy();
        socket.destroy();
      };
      upstream.on("error", () => {
        if (!upstream.connecting) return closeBoth();
        socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      });
      socket.on("error", closeBoth);
      socket.on("close", () => upstream.destroy());
      upstream.on("close", () => socket.destroy());
    });
  }

  // HTTPS and WebSockets: Chromium tunnels them with CONNECT host:port.
  server.on("connect", (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    tunnel(socket, head, request.url ?? "", () => socket.write("HTTP/1.1 200 Connection Established\r\n\r\n"));
  });
  // A plain-HTTP upgrade sent to the proxy (not tunnelled): forward it as a raw tunnel.
  server.on("upgrade", (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(request.url ?? "");
    } catch {
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    tunnel(socket, head, `${url.hostname}:${url.port || 80}`, (upstream) => {
      const lines = [`${request.method} ${url.pathname}${url.search} HTTP/1.1`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        const name = request.rawHeaders[i]!;
        if (/^proxy-/i.test(name)) continue;
        lines.push(`${name}: ${request.rawHeaders[i + 1]}`);
      }
      upstream.write(lines.join("\r\n") + "\r\n\r\n");
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get refusals() {
      return state.refusals;
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
