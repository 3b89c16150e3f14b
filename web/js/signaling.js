// One WebSocket to carrel-control: JSON text frames, each outgoing message numbered so the
// server's `ref` on an error points back at what caused it.

// A browser cannot set headers on a WebSocket, so an access token rides in the query.
export function controlUrl(token = '') {
  const base = (location.protocol === 'https:' ? 'wss' : 'ws') + '://' + location.host + '/ws';
  return token ? `${base}?token=${encodeURIComponent(token)}` : base;
}

export class Signaling {
  #ws = null;
  #nextId = 1;
  #sent = new Map(); // id -> type, to tell the user which request an error refers to
  #handlers = new Map();

  onClose = (_event) => {};

  // Resolves once the socket is open; rejects if it closes first.
  open(url = controlUrl()) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      this.#ws = ws;
      let opened = false;
      ws.onopen = () => {
        opened = true;
        resolve();
      };
      ws.onmessage = (e) => this.#receive(e.data);
      ws.onclose = (e) => {
        if (this.#ws === ws) this.#ws = null;
        if (!opened) reject(new Error(`Cannot reach the server (code ${e.code})`));
        else this.onClose(e);
      };
    });
  }

  get isOpen() {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  // Registers the handler for one message type (one handler per type).
  on(type, handler) {
    this.#handlers.set(type, handler);
  }

  send(message) {
    if (!this.isOpen) return null;
    const id = String(this.#nextId++);
    this.#sent.set(id, message.type);
    if (this.#sent.size > 256) this.#sent.delete(this.#sent.keys().next().value);
    this.#ws.send(JSON.stringify({ ...message, id }));
    return id;
  }

  // The type of the message we sent with this id, if still remembered.
  sentType(ref) {
    return this.#sent.get(ref);
  }

  // Closes without calling onClose: the caller chose to go.
  close() {
    const ws = this.#ws;
    this.#ws = null;
    if (!ws) return;
    ws.onclose = null;
    ws.onmessage = null;
    ws.close(1000, 'bye');
  }

  #receive(data) {
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('carrel: ignoring a frame that is not JSON');
      return;
    }
    if (!msg || typeof msg.type !== 'string') {
      console.warn('carrel: ignoring a frame without a type');
      return;
    }
    const handler = this.#handlers.get(msg.type);
    if (!handler) {
      console.debug('carrel: no handler for', msg.type);
      return;
    }
    const fail = (err) => console.error('carrel: handling', msg.type, 'failed:', err);
    try {
      Promise.resolve(handler(msg)).catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}
