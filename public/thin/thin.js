/* Canopy thin client: watches server-rendered pages on devices that cannot run them.
 * ES5, no framework, no Socket.IO library: a minimal Engine.IO v4 / Socket.IO v5 client over a
 * plain WebSocket (open, ping/pong, namespace connect with auth, events, acks, binary
 * attachments). Works in old Android WebViews and feature-phone browsers. */
(function () {
  "use strict";
  var TOKEN_KEY = "canopy.thin.token";
  var $ = function (id) { return document.getElementById(id); };
  var token = null;
  try { token = window.localStorage.getItem(TOKEN_KEY); } catch (_e) { token = null; }

  var state = { view: "list", sessionId: null, width: 0, height: 0, selected: 0, channels: [] };

  function message(text) { $("msg").textContent = text || ""; }
  function show(id, visible) { $(id).style.display = visible ? "" : "none"; }

  // ---- HTTP ----
  function request(method, path, body, done) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, path, true);
    xhr.setRequestHeader("content-type", "application/json");
    if (token) xhr.setRequestHeader("authorization", "Bearer " + token);
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) return;
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (_e) { data = null; }
      var error = xhr.status >= 200 && xhr.status < 300 ? null : ((data && data.error && data.error.message) || ("HTTP " + xhr.status));
      done(error, data, xhr.status);
    };
    xhr.send(body === undefined ? null : JSON.stringify(body));
  }

  // ---- Socket.IO over a plain WebSocket ----
  function Socket(namespace, auth) {
    this.nsp = namespace;
    this.auth = auth;
    this.handlers = {};
    this.acks = {};
    this.nextAck = 0;
    this.connected = false;
    this.closed = false;
    this.pending = null; // binary event waiting for its attachments
    this.open();
  }
  Socket.prototype.open = function () {
    var self = this;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + location.host + "/socket.io/?EIO=4&transport=websocket");
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onmessage = function (event) { self.onData(event.data); };
    ws.onclose = function () {
      var was = self.connected;
      self.connected = false;
      if (was) self.fire("disconnect");
      if (!self.closed) setTimeout(function () { if (!self.closed) self.open(); }, 2000);
    };
  };
  Socket.prototype.onData = function (data) {
    if (typeof data !== "string") return this.onAttachment(data);
    var type = data.charAt(0);
    if (type === "0") this.ws.send("40" + this.nsp + "," + (this.auth ? JSON.stringify(this.auth) : ""));
    else if (type === "2") this.ws.send("3");
    else if (type === "4") this.onPacket(data.slice(1));
  };
  Socket.prototype.onPacket = function (text) {
    var type = text.charAt(0), i = 1, attachments = 0, id = "", nsp = "/";
    if (type === "5" || type === "6") {
      var dash = text.indexOf("-");
      attachments = parseInt(text.slice(1, dash), 10);
      i = dash + 1;
    }
    if (text.charAt(i) === "/") {
      var comma = text.indexOf(",", i);
      if (comma < 0) comma = text.length;
      nsp = text.slice(i, comma);
      i = comma + 1;
    }
    if (nsp !== this.nsp) return;
    while (i < text.length && text.charAt(i) >= "0" && text.charAt(i) <= "9") id += text.charAt(i++);
    var payload = i < text.length ? JSON.parse(text.slice(i)) : undefined;
    if (type === "0") { this.connected = true; this.fire("connect"); }
    else if (type === "4") this.fire("connect_error", payload);
    else if (type === "1") { this.connected = false; this.fire("disconnect"); }
    else if (type === "2") this.fire(payload[0], payload[1]);
    else if (type === "3" && this.acks[id]) { this.acks[id](payload[0]); delete this.acks[id]; }
    else if (type === "5") this.pending = { payload: payload, needed: attachments, buffers: [] };
  };
  Socket.prototype.onAttachment = function (buffer) {
    var pending = this.pending;
    if (!pending) return;
    pending.buffers.push(buffer);
    if (pending.buffers.length < pending.needed) return;
    this.pending = null;
    var args = fill(pending.payload, pending.buffers);
    this.fire(args[0], args[1]);
  };
  function fill(value, buffers) {
    if (value && value._placeholder) return buffers[value.num];
    if (value && typeof value === "object") for (var key in value) if (Object.prototype.hasOwnProperty.call(value, key)) value[key] = fill(value[key], buffers);
    return value;
  }
  Socket.prototype.on = function (event, handler) { this.handlers[event] = handler; };
  Socket.prototype.fire = function (event, data) { if (this.handlers[event]) this.handlers[event](data); };
  Socket.prototype.emit = function (event, data, ack) {
    if (!this.connected) return;
    var id = "";
    if (ack) { id = String(this.nextAck++); this.acks[id] = ack; }
    this.ws.send("42" + this.nsp + "," + id + JSON.stringify([event, data]));
  };
  Socket.prototype.close = function () { this.closed = true; this.connected = false; try { this.ws.close(); } catch (_e) { /* closed */ } };

  // ---- frames ----
  var supportsBinary = !!(window.Blob && window.URL && URL.createObjectURL && window.ArrayBuffer);
  var socket = null, frame = $("frame"), decoding = false, queued = null, lastUrl = null;
  var stats = { frames: 0, bytes: 0, since: new Date().getTime() };

  function draw(image) {
    decoding = true;
    if (typeof image === "string") frame.src = "data:image/jpeg;base64," + image;
    else {
      var url = URL.createObjectURL(new Blob([image], { type: "image/jpeg" }));
      frame.src = url;
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = url;
    }
  }
  // A slow device decodes one frame at a time; newer frames replace the queued one.
  frame.onload = frame.onerror = function () {
    decoding = false;
    if (queued !== null) { var next = queued; queued = null; draw(next); }
  };
  function onFrame(data) {
    stats.frames += 1;
    stats.bytes += data.size || 0;
    if (decoding) queued = data.image;
    else draw(data.image);
  }
  setInterval(function () {
    var now = new Date().getTime(), seconds = (now - stats.since) / 1000;
    if (state.view === "view") $("stat").textContent = Math.round(stats.frames / seconds) + " fps · " + Math.round(stats.bytes / seconds / 1024) + " KB/s";
    stats = { frames: 0, bytes: 0, since: now };
  }, 1000);

  function connect(sessionId) {
    if (socket) socket.close();
    socket = new Socket("/render", token ? { token: token } : null);
    socket.on("connect", function () { socket.emit("subscribe", { session_id: sessionId, binary: supportsBinary }); });
    socket.on("subscribed", function (data) { state.width = data.width; state.height = data.height; message(""); });
    socket.on("frame", onFrame);
    socket.on("error", function (data) { message((data && data.message) || "Error"); });
    socket.on("session:ended", function (data) { message(data.message); close(false); });
    socket.on("connect_error", function (data) { message((data && data.message) || "Cannot connect"); });
  }

  // ---- input: taps, scrolls, keys ----
  function point(event) {
    var rect = frame.getBoundingClientRect();
    var w = state.width || frame.naturalWidth, h = state.height || frame.naturalHeight;
    return { x: Math.round((event.clientX - rect.left) * w / rect.width), y: Math.round((event.clientY - rect.top) * h / rect.height) };
  }
  frame.addEventListener("click", function (event) {
    if (!socket) return;
    var p = point(event);
    socket.emit("input:click", { x: p.x, y: p.y });
  });
  var touch = null, scrollX = 0, scrollY = 0, scrollTimer = null;
  function flushScroll() {
    scrollTimer = null;
    if (socket && (scrollX || scrollY)) socket.emit("input:scroll", { deltaX: Math.round(scrollX), deltaY: Math.round(scrollY), x: touch ? touch.x : undefined, y: touch ? touch.y : undefined });
    scrollX = scrollY = 0;
  }
  function queueScroll(dx, dy) {
    scrollX += dx;
    scrollY += dy;
    if (!scrollTimer) scrollTimer = setTimeout(flushScroll, 60);
  }
  frame.addEventListener("touchstart", function (event) {
    var t = event.touches[0];
    touch = { clientX: t.clientX, clientY: t.clientY };
    var p = point(t);
    touch.x = p.x;
    touch.y = p.y;
  });
  frame.addEventListener("touchmove", function (event) {
    if (!touch) return;
    var t = event.touches[0], rect = frame.getBoundingClientRect(), scale = (state.width || rect.width) / rect.width;
    queueScroll((touch.clientX - t.clientX) * scale, (touch.clientY - t.clientY) * scale);
    touch.clientX = t.clientX;
    touch.clientY = t.clientY;
    event.preventDefault();
  });
  frame.addEventListener("wheel", function (event) {
    var p = point(event);
    touch = { x: p.x, y: p.y };
    queueScroll(event.deltaX, event.deltaY);
    event.preventDefault();
  });
  var keyNames = { 8: "Backspace", 9: "Tab", 13: "Enter", 27: "Escape", 33: "PageUp", 34: "PageDown", 35: "End", 36: "Home", 37: "ArrowLeft", 38: "ArrowUp", 39: "ArrowRight", 40: "ArrowDown", 46: "Delete" };
  document.addEventListener("keydown", function (event) {
    var key = event.key || keyNames[event.keyCode];
    if (state.view === "list") return listKey(key, event);
    if (state.view !== "view" || !socket) return;
    if (key && key.length === 1 && !event.ctrlKey && !event.metaKey) socket.emit("input:text", { text: key });
    else if (key && /^(Backspace|Tab|Enter|Escape|PageUp|PageDown|End|Home|Arrow\w+|Delete)$/.test(key)) socket.emit("input:key", { key: key });
    else return;
    event.preventDefault();
  });

  // ---- channel list (arrow keys and Enter work on keypad phones) ----
  function listKey(key, event) {
    var items = $("list").getElementsByTagName("button");
    if (!items.length) return;
    if (key === "ArrowDown") state.selected = Math.min(items.length - 1, state.selected + 1);
    else if (key === "ArrowUp") state.selected = Math.max(0, state.selected - 1);
    else return;
    items[state.selected].focus();
    event.preventDefault();
  }
  function loadChannels() {
    if (state.view !== "list") return;
    request("GET", "/render/api/channels", undefined, function (error, data) {
      if (error) return message(error);
      var list = $("list");
      list.innerHTML = "";
      state.channels = data.channels;
      if (!data.channels.length) {
        var empty = document.createElement("li");
        empty.textContent = "No channel is live right now.";
        list.appendChild(empty);
      }
      for (var i = 0; i < data.channels.length; i++) list.appendChild(channelItem(data.channels[i]));
    });
  }
  function channelItem(channel) {
    var li = document.createElement("li"), button = document.createElement("button");
    button.textContent = channel.name + (channel.title ? " — " + channel.title : "") + " (" + channel.viewers + ")";
    button.onclick = function () { open(channel.path); };
    li.appendChild(button);
    return li;
  }

  // ---- sessions ----
  function open(path) {
    message("Opening…");
    var bar = $("bar").offsetHeight;
    var width = Math.max(200, Math.min(1920, window.innerWidth || 320));
    var height = Math.max(200, Math.min(1920, (window.innerHeight || 480) - bar));
    request("POST", "/render/api/session/create", { url: path, width: width, height: height }, function (error, data, status) {
      if (status === 401) return startPairing();
      if (error) return message(error);
      state.sessionId = data.session_id;
      state.view = "view";
      show("list", false);
      show("view", true);
      show("back", true);
      connect(data.session_id);
    });
  }
  function close(tellServer) {
    if (socket) socket.close();
    socket = null;
    if (tellServer && state.sessionId) request("POST", "/render/api/session/" + state.sessionId + "/close", undefined, function () {});
    state.sessionId = null;
    state.view = "list";
    show("view", false);
    show("back", false);
    show("list", true);
    $("stat").textContent = "";
    loadChannels();
  }
  $("back").onclick = function () { close(true); };
  window.addEventListener("pagehide", function () { if (state.sessionId) close(true); });

  // ---- pairing: the device shows a code, a signed-in phone enters it at /pair ----
  var pairTimer = null;
  function startPairing() {
    state.view = "pair";
    show("list", false);
    show("pair", true);
    $("pairurl").textContent = location.host + "/pair";
    request("POST", "/render/api/pair/start", undefined, function (error, data) {
      if (error) return message(error);
      $("code").textContent = data.code;
      pollPairing(data.pairing_id);
    });
  }
  function pollPairing(pairingId) {
    clearTimeout(pairTimer);
    pairTimer = setTimeout(function () {
      request("POST", "/render/api/pair/poll", { pairing_id: pairingId }, function (error, data, status) {
        if (status === 404) return startPairing();
        if (error || data.status === "pending") return pollPairing(pairingId);
        token = data.token;
        try { window.localStorage.setItem(TOKEN_KEY, token); } catch (_e) { /* memory only */ }
        show("pair", false);
        message("Signed in as " + data.username);
        state.view = "list";
        show("list", true);
        loadChannels();
      });
    }, 2000);
  }

  // Signed in (cookie or a stored token)? Otherwise pair first.
  request("GET", "/render/api/sessions", undefined, function (error, data, status) {
    if (status === 401) {
      token = null;
      try { window.localStorage.removeItem(TOKEN_KEY); } catch (_e) { /* ignore */ }
      return startPairing();
    }
    loadChannels();
  });
  setInterval(loadChannels, 15000);
})();
