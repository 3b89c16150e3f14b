// The publish connection: we offer our camera and microphone (send-only), the SFU answers.

import { RemoteCandidates } from './candidates.js';
import { preferCodec } from './media.js';
import { CandidateOutbox } from './outbox.js';

export class Publisher {
  #pc;
  #remote;
  #outbox;

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

  // Offers every track of the stream; returns false when there is nothing to send.
  async start(stream) {
    // Camera first, then microphone: the m-line order the SFU's answer will keep.
    const tracks = [...stream.getVideoTracks(), ...stream.getAudioTracks()];
    if (!tracks.length) return false;
    for (const track of tracks) {
      const t = this.#pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      preferCodec(t, track.kind, track.kind === 'video' ? 'video/VP8' : 'audio/opus');
    }
    const offer = await this.#pc.createOffer();
    await this.#pc.setLocalDescription(offer);
    this.send({ type: 'publish_offer', sdp: this.#pc.localDescription.sdp });
    return true;
  }

  async applyAnswer(sdp) {
    if (this.#pc.signalingState !== 'have-local-offer') {
      throw new Error(`unexpected publish answer in state ${this.#pc.signalingState}`);
    }
    await this.#pc.setRemoteDescription({ type: 'answer', sdp });
    await this.#remote.flush();
    this.#outbox.release();
  }

  addRemoteCandidate(candidate, sdpMLineIndex) {
    return this.#remote.add(candidate, sdpMLineIndex);
  }

  close() {
    this.#pc.onicecandidate = null;
    this.#pc.onconnectionstatechange = null;
    this.#pc.close();
  }
}
