// Local ICE candidates for one connection: held until the server has the description they
// belong to (our offer answered, or our answer sent), then sent as they come. Candidates
// outside the server's networks (when it names them) are dropped here.

export class CandidateOutbox {
  #held = [];
  #released = false;
  #endSent = false;

  constructor(conn, send, allowed) {
    this.conn = conn;
    this.send = send;
    this.allowed = allowed;
  }

  // Wire to RTCPeerConnection.onicecandidate.
  push(event) {
    const c = event.candidate;
    // Both a null candidate and an empty one mean "gathering is over": say it once.
    const text = c?.candidate ?? '';
    if (!text) {
      if (this.#endSent) return;
      this.#endSent = true;
    } else if (!this.allowed(text)) {
      return;
    }
    const message = {
      type: 'candidate',
      conn: this.conn,
      candidate: text,
      sdp_mline_index: c?.sdpMLineIndex ?? 0,
    };
    if (this.#released) this.send(message);
    else this.#held.push(message);
  }

  release() {
    if (this.#released) return;
    this.#released = true;
    for (const m of this.#held) this.send(m);
    this.#held = [];
  }
}
