// The publish connection: we offer our camera and microphone (send-only), the SFU answers.
// A screen share is one more m-line, added by a new offer on the same connection and marked
// `screen` in the offer's `tracks`; stopping it offers again with that m-line inactive. The
// SFU cannot make an ended m-line send again, so every share gets a new one.

import { RemoteCandidates } from './candidates.js';
import { preferCodec } from './media.js';
import { CandidateOutbox } from './outbox.js';

export class Publisher {
  #pc;
  #remote;
  #outbox;
  #screenTx = null; // the share going on now
  #screenMids = new Set(); // every m-line that ever carried a screen (ended ones stay screen)
  #answered = null; // {resolve, reject} of the offer in flight
  #queue = Promise.resolve();

  // send(message) goes to the server; allowed(candidate) filters local candidates;
  // onState(state) reports the connection state.
  constructor({ iceServers, send, allowed, onState }) {
    this.#pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    this.#remote = new RemoteCandidates(this.#pc);
    this.#outbox = new CandidateOutbox('publish', send, allowed);
    this.send = send;
    this.#pc.onicecandidate = (e) => this.#outbox.push(e);
    this.#pc.onconnectionstatechange = () => onState(this.#pc.connectionState);
  }

  // Offers every track of the stream (and the screen, when one is shared); returns false
  // when there is nothing to send.
  async start(stream, screen = null) {
    // Camera first, then microphone: the m-line order the SFU's answer will keep.
    const tracks = [...(stream?.getVideoTracks() ?? []), ...(stream?.getAudioTracks() ?? [])];
    const screenTrack = screen?.getVideoTracks()[0] ?? null;
    if (!tracks.length && !screenTrack) return false;
    for (const track of tracks) {
      const t = this.#pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      preferCodec(t, track.kind, track.kind === 'video' ? 'video/VP8' : 'audio/opus');
    }
    if (screenTrack) this.#addScreen(screenTrack, screen);
    await this.#negotiate();
    return true;
  }

  // Starts (track) or stops (null) sending the screen, with a new offer either way.
  setScreen(track, stream) {
    const run = async () => {
      if (this.#pc.signalingState === 'closed') return;
      if (track) {
        if (this.#screenTx) return;
        this.#addScreen(track, stream);
      } else {
        if (!this.#screenTx) return;
        await this.#screenTx.sender.replaceTrack(null);
        this.#screenTx.direction = 'inactive';
        this.#screenTx = null;
      }
      await this.#negotiate();
    };
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  async applyAnswer(sdp) {
    if (this.#pc.signalingState !== 'have-local-offer') {
      throw new Error(`unexpected publish answer in state ${this.#pc.signalingState}`);
    }
    const pending = this.#answered;
    this.#answered = null;
    try {
      await this.#pc.setRemoteDescription({ type: 'answer', sdp });
      await this.#remote.flush();
      this.#outbox.release();
      pending?.resolve();
    } catch (err) {
      pending?.reject(err);
      throw err;
    }
  }

  addRemoteCandidate(candidate, sdpMLineIndex) {
    return this.#remote.add(candidate, sdpMLineIndex);
  }

  close() {
    this.#pc.onicecandidate = null;
    this.#pc.onconnectionstatechange = null;
    this.#pc.close();
    this.#answered?.reject(new Error('closed'));
    this.#answered = null;
  }

  #addScreen(track, stream) {
    this.#screenTx = this.#pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
    preferCodec(this.#screenTx, 'video', 'video/VP8');
  }

  // Sends an offer; the first resolves at once (the caller goes on while ICE runs), a
  // renegotiation resolves when its answer is applied, so offers never overlap.
  async #negotiate() {
    const first = !this.#pc.remoteDescription;
    const offer = await this.#pc.createOffer();
    await this.#pc.setLocalDescription(offer);
    const done = new Promise((resolve, reject) => {
      this.#answered = { resolve, reject };
    });
    done.catch(() => {}); // a closed connection ends it; nobody needs telling
    const message = { type: 'publish_offer', sdp: this.#pc.localDescription.sdp };
    // The m-lines not listed are camera and microphone (protocol.md, Screen share).
    if (this.#screenTx?.mid != null) this.#screenMids.add(this.#screenTx.mid);
    if (this.#screenMids.size) message.tracks = [...this.#screenMids].slice(-16).map((mid) => ({ mid, source: 'screen' }));
    this.send(message);
    if (!first) await done;
  }
}
