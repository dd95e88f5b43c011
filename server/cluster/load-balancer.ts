// A small sticky load balancer for running several nodes on one machine (`npm run
// cluster:local`, the cluster tests): a cookie pins a browser to its node, so Socket.IO's HTTP
// long-polling requests all reach the node that holds the session; a node that refuses
// connections is skipped for a while and its clients move to another node. Production puts a
// real load balancer (nginx, HAProxy, a cloud LB) with sticky sessions here instead.
import http from "node:http";
import net from "node:net";

export const nodeCookie = "canopy_node";
const downForMs = 5000;

type Node = { host: string; port: number; downUntil: number };

export function createStickyBalancer(options: { nodes: { host: string; port: number }[] }): http.Server {
  const nodes: Node[] = options.nodes.map((node) => ({ ...node, downUntil: 0 }));
  let nextIndex = 0;

  /** The node the cookie names while it is up, else the next up node in turn. */
  function choose(cookieHeader: string | undefined, exclude: Set<number>): number | undefined {
    const pinned = Number(/(?:^|;\s*)canopy_node=(\d+)/.exec(cookieHeader ?? "")?.[1] ?? NaN);
    const usable = (index: number) => !exclude.has(index) && nodes[index] !== undefined && nodes[index]!.downUntil <= Date.now();
    if (usable(pinned)) return pinned;
    for (let step = 0; step < nodes.length; step++) {
      const index = (nextIndex + step) % nodes.length;
      if (usable(index)) {
        nextIndex = index + 1;
        return index;
      }
    }
    return undefined;
  }

  function markDown(index: number): void {
    nodes[index]!.downUntil = Date.now() + downForMs;
  }

  const server = http.createServer((request, response) => {
    const tried = new Set<number>();
    // A request without a body can be sent again to another node; one with a body was consumed.
    const bodyless = request.method === "GET" || request.method === "HEAD" || request.headers["content-length"] === "0";
    const attempt = () => {
      const index = choose(request.headers.cookie, tried);
      if (index === undefined) {
        response.writeHead(502, { "content-type": "application/json" });
        return response.end(JSON.stringify({ error: { code: "UNAVAILABLE", message: "No server node is up" } }));
      }
      tried.add(index);
      const node = nodes[index]!;
      const upstream = http.request({ host: node.host, port: node.port, method: request.method, path: request.url, headers: request.headers }, (reply) => {
        const headers = { ...reply.headers };
        const cookies = [reply.headers["set-cookie"] ?? []].flat();
        headers["set-cookie"] = [...cookies, `${nodeCookie}=${index}; Path=/; HttpOnly; SameSite=Lax`];
        response.writeHead(reply.statusCode ?? 502, headers);
        reply.pipe(response);
      });
      upstream.on("error", (error: NodeJS.ErrnoException) => {
        // Refused: the node is down; a request without a body goes to another node at once.
        if (error.code === "ECONNREFUSED") {
          markDown(index);
          if (bodyless) return attempt();
        }
        if (!response.headersSent) response.writeHead(502);
        response.end();
      });
      if (bodyless) upstream.end();
      else request.pipe(upstream);
    };
    attempt();
  });

  server.on("upgrade", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const tried = new Set<number>();
    client.on("error", () => undefined);
    const attempt = () => {
      const index = choose(request.headers.cookie, tried);
      if (index === undefined) return client.destroy();
      tried.add(index);
      const node = nodes[index]!;
      const upstream = net.connect(node.port, node.host);
      let connected = false;
      upstream.once("error", () => {
        if (connected) return client.destroy();
        markDown(index);
        attempt();
      });
      upstream.once("connect", () => {
        connected = true;
        const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
        for (let i = 0; i < request.rawHeaders.length; i += 2) lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
        upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
        if (head.length) upstream.write(head);
        upstream.pipe(client).pipe(upstream);
        upstream.on("close", () => client.destroy());
        client.on("close", () => upstream.destroy());
      });
    };
    attempt();
  });
  return server;
}
