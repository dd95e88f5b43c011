// The thin client: one small HTML page and one ES5 script (public/thin/thin.js, with its own
// minimal Socket.IO client) — no framework, nothing else to download, for old WebViews and
// feature phones. It lists live channels, opens a render session of a channel page, draws the
// frames and sends taps, scrolls and keys back. Signed out, it shows a pairing code for /pair.
import { nonceHeader } from "@/server/http/page-security-headers";

// Rendered per request: its script tag carries the request's CSP nonce.
export const dynamic = "force-dynamic";

const page = (nonce: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,user-scalable=no">
<title>Canopy thin</title>
<style>
html,body{margin:0;padding:0;background:#111;color:#eee;font:14px/1.4 sans-serif;height:100%;overflow:hidden}
#bar{display:flex;align-items:center;gap:8px;padding:4px 8px;background:#1f3d2b;height:28px}
#bar b{flex:1}#stat{font-size:12px;color:#bdf}
button{font:inherit;color:#111;background:#cfe8d5;border:0;border-radius:4px;padding:6px 10px}
button:focus{outline:3px solid #ffd34d}
#list{list-style:none;margin:0;padding:8px;overflow:auto;height:calc(100% - 70px)}
#list li{margin:0 0 6px}#list button{width:100%;text-align:left}
#pair{padding:16px;font-size:16px}#code{display:block;font-size:32px;letter-spacing:4px;margin:12px 0;color:#ffd34d}
#view{position:absolute;top:36px;left:0;right:0;bottom:0;background:#000}
#frame{display:block;width:100%;touch-action:none;user-select:none;-webkit-user-select:none}
#msg{position:absolute;bottom:0;left:0;right:0;margin:0;padding:2px 8px;font-size:12px;color:#fc9;background:rgba(0,0,0,.6)}
</style>
</head>
<body>
<div id="bar"><b>Canopy</b><span id="stat"></span><button id="back" style="display:none">Back</button></div>
<ul id="list" aria-label="Live channels"></ul>
<div id="pair" style="display:none">To sign in, open <b id="pairurl"></b> on a signed-in phone and enter
<span id="code" aria-live="polite">…</span>The code expires in ten minutes.</div>
<div id="view" style="display:none"><img id="frame" alt="Rendered channel page"></div>
<p id="msg" role="status"></p>
<noscript>This page needs JavaScript.</noscript>
<script nonce="${nonce}" src="/thin/thin.js"></script>
</body>
</html>
`;

/** Anyone: the thin client page. */
export function GET(request: Request): Response {
  // A nonce is only worth something unshared: no cache keeps this page.
  const nonce = request.headers.get(nonceHeader) ?? "";
  return new Response(page(nonce), { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}
