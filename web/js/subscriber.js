// The subscribe connection: the SFU offers the others' tracks (and offers again as people
// come and go); we answer. Each offer's `tracks` says whose track each m-line (mid) carries.

import { RemoteCandidates } from './candidates.js';
import { CandidateOutbox } from './outbox.js';

export class Subscriber {
  #pc;
  #remote;
  #outbox;
  #tracksByMid = new Map();
  #queue = Promise.resolve();

  // onTracks(list of {participant, track, kind, mediaTrack}) gives the full current set
  // after every change, so the caller never has to track additions and removals itself.
  constructor({ iceServers, send, allowed, onState, onTracks }) {
    this.#pc = new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle' });
    this.#remote = new RemoteCandidates(this.#pc);
    this.#outbox = new CandidateOutbox('subscribe', send, allowed);
    this.send = send;
    this.onTracks = onTracks;
    this.#pc.onicecandidate = (e) => this.#outbox.push(e);
    this.#pc.onconnectionstatechange = () => onState(this.#pc.connectionState);
    this.#pc.ontrack = () => this.#report();
  }

  // Offers are answered one at a time, in order of arrival.
  handleOffer(sdp, tracks) {
    const run = () => this.#answer(sdp, tracks);
    this.#queue = this.#queue.then(run, run);
    return this.#queue;
  }

  async #answer(sdp, tracks) {
    if (this.#pc.signalingState === 'closed') return;
    this.#tracksByMid = new Map((Array.isArray(tracks) ? tracks : []).map((t) => [String(t.mid), t]));
    try {
      await this.#pc.setRemoteDescription({ type: 'offer', sdp });
    } catch (err) {
      // The offer is the server's: keep it where a bug report can quote it.
      console.debug(`carrel: subscribe offer refused:\n${sdp}`);
      throw err;
    }
    await this.#remote.flush();
    const answer = await this.#pc.createAnswer();
    await this.#pc.setLocalDescription(answer);
    this.send({ type: 'subscribe_answer', sdp: this.#pc.localDescription.sdp });
    this.#outbox.release();
    this.#report();
  }

  addRemoteCandidate(candidate, sdpMLineIndex) {
    return this.#remote.add(candidate, sdpMLineIndex);
  }

  // Rebuilt from the transceivers rather than from ontrack alone: a reused m-line (the SFU
  // moves another participant onto it) fires no new ontrack, and a stopped one fires none.
  #report() {
    const list = [];
    for (const t of this.#pc.getTransceivers()) {
      if (t.stopped || t.mid === null) continue;
      const dir = t.currentDirection ?? t.direction;
      if (dir === 'inactive' || dir === 'sendonly' || dir === 'stopped') continue;
      const info = this.#tracksByMid.get(t.mid);
      if (!info) continue;
      list.push({
        participant: info.participant,
        track: info.track,
        kind: info.kind ?? t.receiver.track.kind,
        source: info.source,
        mediaTrack: t.receiver.track,
      });
    }
    this.onTracks(list);
  }

  close() {
    this.#pc.onicecandidate = null;
    this.#pc.onconnectionstatechange = null;
    this.#pc.ontrack = null;
    this.#pc.close();
  }
}
