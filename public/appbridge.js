// Canopy appbridge: the script an app's page loads (<script src="/appbridge.js">) to talk to the
// platform. The page runs in a sandboxed frame with an opaque origin, so it cannot reach the
// platform's cookies, storage or DOM; everything goes through postMessage to the host page that
// embeds it, which checks the message came from this frame and relays it (to the /apps Socket.IO
// namespace, the router, its own dialogs). This side only trusts messages from its parent window
// with the platform's origin, which it learns from where this script was served.
// Types: /appbridge.d.ts.
(function () {
  "use strict";
  if (window.appbridge) return;

  var script = document.currentScript;
  var platformOrigin = new URL(script && script.src ? script.src : "/", location.href).origin;
  var defaultTimeoutMs = 10000;
  var nextId = 1;
  var pending = new Map();
  var listeners = new Map();
  var context = null;
  var resolveReady;
  var ready = new Promise(function (resolve) {
    resolveReady = resolve;
  });

  /** An error the platform or the app's server script answered with; `code` says which kind. */
  class AppBridgeError extends Error {
    constructor(code, message) {
      super(message);
      this.name = "AppBridgeError";
      this.code = code;
    }
  }

  function post(message) {
    if (window.parent === window) return;
    window.parent.postMessage(Object.assign({ canopyBridge: 1 }, message), platformOrigin);
  }

  /** Sends a request to the host and waits for its reply (or `timeoutMs`, then TIMEOUT). */
  function request(type, fields, timeoutMs) {
    if (window.parent === window) return Promise.reject(new AppBridgeError("NO_HOST", "This page is not embedded by Canopy"));
    var id = nextId++;
    return new Promise(function (resolve, reject) {
      var timer =
        timeoutMs > 0
          ? setTimeout(function () {
              pending.delete(id);
              reject(new AppBridgeError("TIMEOUT", type + " got no answer within " + timeoutMs + " ms"));
            }, timeoutMs)
          : null;
      pending.set(id, { resolve: resolve, reject: reject, timer: timer });
      post(Object.assign({ type: type, id: id }, fields));
    });
  }

  function dispatch(event, payload) {
    var set = listeners.get(event);
    if (!set) return;
    set.forEach(function (listener) {
      try {
        listener(payload);
      } catch (error) {
        setTimeout(function () {
          throw error;
        });
      }
    });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== platformOrigin) return;
    var message = event.data;
    if (!message || message.canopyBridge !== 1 || typeof message.type !== "string") return;
    switch (message.type) {
      case "reply": {
        var entry = pending.get(message.id);
        if (!entry) return;
        pending.delete(message.id);
        if (entry.timer) clearTimeout(entry.timer);
        if (message.error) entry.reject(new AppBridgeError(String(message.error.code), String(message.error.message)));
        else entry.resolve(message.result);
        return;
      }
      case "context": {
        var themeChanged = context && context.theme !== message.context.theme;
        context = message.context;
        document.documentElement.setAttribute("data-canopy-theme", context.theme);
        resolveReady(context);
        if (themeChanged) dispatch("themechange", context.theme);
        return;
      }
      case "event":
        dispatch(String(message.event), message.payload);
        return;
      case "connection":
        dispatch(message.connected ? "connected" : "disconnected", undefined);
        return;
    }
  });

  function reportHeight() {
    post({ type: "resize", height: Math.ceil(document.documentElement.scrollHeight) });
  }

  var appbridge = {
    AppBridgeError: AppBridgeError,
    /** Resolves with the page's context once the host answered the handshake. */
    ready: ready,
    /** Calls a method the app's server script registered with canopy.rpc.register. */
    call: function (method, args, options) {
      var timeoutMs = options && typeof options.timeoutMs === "number" ? options.timeoutMs : defaultTimeoutMs;
      return ready.then(function () {
        return request("rpc", { method: String(method), args: Array.isArray(args) ? args : [], timeoutMs: timeoutMs }, timeoutMs + 1000);
      });
    },
    /** JAF's form: serverMethod("vote", "a") is call("vote", ["a"]). */
    serverMethod: function (method) {
      return appbridge.call(method, Array.prototype.slice.call(arguments, 1));
    },
    /** Server events (canopy.rpc.emit…) and the bridge's own: connected, disconnected, themechange. */
    addEventListener: function (event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(listener);
    },
    removeEventListener: function (event, listener) {
      var set = listeners.get(event);
      if (set) set.delete(listener);
    },
    getUser: function () {
      return ready.then(function (value) {
        return value.user;
      });
    },
    getPermissionLevel: function () {
      return ready.then(function (value) {
        return value.permissionLevel;
      });
    },
    getTheme: function () {
      return ready.then(function (value) {
        return value.theme;
      });
    },
    getContext: function () {
      return ready;
    },
    /** Opens a platform page ("/c/alice"); other origins are refused by the host. */
    navigate: function (path) {
      return request("navigate", { path: String(path) }, defaultTimeoutMs);
    },
    /** Opens another page of this app (or of `appId`) at /a/<app>/<page>. */
    navigateToPage: function (pageId, appId) {
      return ready.then(function (value) {
        return appbridge.navigate("/a/" + encodeURIComponent(appId || value.appId) + "/" + encodeURIComponent(pageId));
      });
    },
    /** The URL of one of the app's public files ("pages/logo.png"). Needs `ready`. */
    resolveFileURL: function (path) {
      if (!context) throw new AppBridgeError("NOT_READY", "Wait for appbridge.ready first");
      return context.filesBaseUrl + String(path).replace(/^\/+/, "");
    },
    alert: function (message, title) {
      return request("dialog", { kind: "alert", message: String(message), title: title == null ? undefined : String(title) }, 0);
    },
    confirm: function (message, title) {
      return request("dialog", { kind: "confirm", message: String(message), title: title == null ? undefined : String(title) }, 0);
    },
    prompt: function (message, defaultValue, title) {
      return request("dialog", { kind: "prompt", message: String(message), defaultValue: defaultValue == null ? "" : String(defaultValue), title: title == null ? undefined : String(title) }, 0);
    },
    setTitle: function (title) {
      post({ type: "title", title: String(title).slice(0, 80) });
    },
  };
  Object.freeze(appbridge);
  Object.defineProperty(window, "appbridge", { value: appbridge, enumerable: true });

  if (typeof ResizeObserver === "function") new ResizeObserver(reportHeight).observe(document.documentElement);
  window.addEventListener("load", reportHeight);
  // The host answers "hello" with the context; asking again covers a host that was not listening yet.
  var helloAttempts = 0;
  (function hello() {
    if (context || helloAttempts++ >= 20) return;
    post({ type: "hello" });
    setTimeout(hello, 250 * helloAttempts);
  })();
})();
