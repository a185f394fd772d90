// The board's link to the server, and whether it may honestly be called "Live".
//
// A network that drops silently leaves an open WebSocket that never hears anything again (measured before this
// module: the badge said "Live" for 63 s after the link died). So the server sends a heartbeat at least every
// 5 s, this module treats three missed beats (or the browser's `offline` event, at once) as a lost link, and the
// page is "Live" only when, on an open socket, the snapshot or the resume's backfill (the server's `resumed`
// frame) has arrived since it opened. In the other direction the page pings every heartbeat, so that the server
// can close the sockets of pages it no longer hears from (docs/architecture.md, "The protocol").

const SESSION_ENDED = 4001;

export class Link {
  // url: the socket's address; heartbeatMs: the server's heartbeat interval;
  // onOpen(): send the subscribe (with `since` and `epoch` to resume); onMessage(message): a parsed frame;
  // onChange(): the state changed, show it; onSessionEnded(): the login ended (close code 4001).
  constructor({ url, heartbeatMs, onOpen, onMessage, onChange, onSessionEnded }) {
    Object.assign(this, { url, onOpen, onMessage, onChange, onSessionEnded });
    this.silenceMs = 3 * heartbeatMs; // three missed beats
    this.pingMs = Math.max(1000, heartbeatMs); // the server counts at most 120 pings a minute
    this.socket = null;
    this.current = false; // the snapshot or the backfill arrived on this socket
    this.offline = !navigator.onLine;
    this.heardAt = null; // Date.now() of the last frame from the server
    this.attempt = 0;
    this.timers = {};
  }

  get live() {
    return Boolean(this.socket && this.socket.readyState === WebSocket.OPEN && this.current && !this.offline
                   && this.heardAt !== null && Date.now() - this.heardAt <= this.silenceMs);
  }

  start() {
    window.addEventListener("offline", () => this.lost(true));
    window.addEventListener("online", () => {
      const wasOffline = this.offline;
      this.offline = false;
      if (wasOffline || !this.socket) { this.attempt = 0; this.connect(); } // at once, not after the backoff
    });
    this.connect();
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  // Called by the page for a snapshot or a `resumed` frame: from now on the board is exact again.
  markCurrent() { this.current = true; this.onChange(); }

  connect() {
    this.abandon();
    if (this.offline) { this.onChange(); return; } // the `online` event reconnects
    const socket = new WebSocket(this.url);
    this.socket = socket;
    // A connection attempt over a dead link may hang for minutes: give it the watchdog's time, then try again.
    this.timers.opening = setTimeout(() => this.lost(false), this.silenceMs);
    socket.addEventListener("open", () => {
      clearTimeout(this.timers.opening);
      this.attempt = 0;
      this.heard();
      this.timers.ping = setInterval(() => this.send({ type: "ping" }), this.pingMs);
      this.onOpen();
      this.onChange();
    });
    socket.addEventListener("message", (event) => {
      this.heard();
      this.onMessage(JSON.parse(event.data));
      this.onChange();
    });
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return; // an abandoned socket's late close
      this.abandon();
      if (event.code === SESSION_ENDED) { this.onSessionEnded(); return; }
      this.retry();
    });
  }

  heard() {
    this.heardAt = Date.now();
    clearTimeout(this.timers.silence);
    this.timers.silence = setTimeout(() => this.lost(false), this.silenceMs);
  }

  // The link is gone: the browser says it is offline, or the server has not been heard for three beats. The old
  // socket is dropped without waiting for its closing handshake, which a dead link never completes.
  lost(offline) {
    if (offline) this.offline = true;
    this.abandon();
    this.onChange();
    if (!this.offline) this.retry();
  }

  abandon() {
    for (const name of ["opening", "silence", "retry"]) clearTimeout(this.timers[name]);
    clearInterval(this.timers.ping);
    const socket = this.socket;
    this.socket = null;
    this.current = false;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close();
  }

  // Backoff with jitter, so that a restarted server is not hit by every board at the same instant.
  retry() {
    const delay = Math.min(30000, 500 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.timers.retry = setTimeout(() => this.connect(), delay);
  }
}
