// One participant's session in a room: the WebSocket conversation of docs/protocol.md, the
// two peer connections, and reconnection (with backoff) when the socket drops.

import { candidateFilter } from './candidates.js';
import { getLocalMedia, stopStream } from './media.js';
import { Publisher } from './publisher.js';
import { Signaling } from './signaling.js';
import { Subscriber } from './subscriber.js';

const PING_MS = 20000;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 15000;
const LEAVE_WAIT_MS = 1500;

// Errors about a join (or the hello before it) that a later attempt may get past.
const RETRYABLE_JOIN = new Set(['media_unavailable', 'media_timeout', 'internal']);

const ERROR_TEXT = {
  media_unavailable: 'no media server can take this room right now',
  media_timeout: 'the media server did not answer in time',
  bad_sdp: 'the media server could not use our connection offer',
  invalid_field: 'the server refused a value',
  internal: 'the server had an internal error',
};

export class RoomClient {
  #ui;
  #sig = null;
  #pub = null;
  #sub = null;
  #stream = null;
  #name = '';
  #room = '';
  #self = null; // our participant id from welcome
  #people = new Map(); // id -> {name, tracks: Set of kinds}
  #remoteTracks = [];
  #active = false; // between join() and leave()
  #attempt = 0;
  #retryTimer = 0;
  #pingTimer = 0;

  constructor(ui) {
    this.#ui = ui;
  }

  get active() {
    return this.#active;
  }

  async join(name, room) {
    if (this.#active) return;
    this.#active = true;
    this.#name = name;
    this.#room = room;
    this.#attempt = 0;
    this.#ui.showRoom(room);
    this.#ui.status('Starting camera and microphone…');
    const { stream, problem } = await getLocalMedia();
    if (!this.#active) {
      stopStream(stream);
      return;
    }
    this.#stream = stream;
    this.#ui.grid.setSelf(name, stream);
    if (problem) this.#ui.status(`Joining without full media: ${problem}.`, 'error');
    this.#renderPeople();
    this.#connect();
  }

  async leave() {
    if (!this.#active) return;
    this.#active = false;
    clearTimeout(this.#retryTimer);
    const sig = this.#sig;
    if (sig?.isOpen && this.#self) {
      const left = new Promise((resolve) => sig.on('left', resolve));
      sig.send({ type: 'leave' });
      await Promise.race([left, new Promise((r) => setTimeout(r, LEAVE_WAIT_MS))]);
    }
    this.#closeSession();
    stopStream(this.#stream);
    this.#stream = null;
  }

  sendChat(text) {
    if (!this.#sig?.isOpen || !this.#self) {
      this.#ui.status('Not connected: the message was not sent.', 'error');
      return false;
    }
    this.#sig.send({ type: 'chat', text });
    return true;
  }

  // --- connection lifecycle ---------------------------------------------------------------

  async #connect() {
    const sig = new Signaling();
    this.#sig = sig;
    this.#register(sig);
    this.#ui.setConn('server', 'connecting');
    this.#ui.status(this.#attempt ? 'Reconnecting…' : 'Connecting to the server…');
    try {
      await sig.open();
    } catch (err) {
      if (this.#sig === sig) this.#dropped(err.message);
      return;
    }
    if (this.#sig !== sig) return sig.close();
    sig.onClose = (e) => this.#dropped(`Lost the server (code ${e.code})`);
    this.#ui.setConn('server', 'open');
    sig.send({ type: 'hello', name: this.#name });
    this.#pingTimer = setInterval(() => sig.send({ type: 'ping' }), PING_MS);
  }

  // Tears down this socket's session; the local camera stays on for the next one.
  #closeSession() {
    clearInterval(this.#pingTimer);
    this.#sig?.close();
    this.#sig = null;
    this.#pub?.close();
    this.#pub = null;
    this.#sub?.close();
    this.#sub = null;
    this.#self = null;
    this.#people.clear();
    this.#remoteTracks = [];
    this.#ui.grid.clearRemote();
    for (const which of ['server', 'publish', 'subscribe']) this.#ui.setConn(which, 'idle');
  }

  #dropped(why) {
    if (!this.#active) return;
    this.#closeSession();
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.#attempt);
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.#attempt++;
    this.#ui.setConn('server', 'reconnecting');
    this.#ui.status(`${why} — trying again in ${Math.ceil(delay / 1000)} s…`, 'error');
    this.#renderPeople();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => this.#active && this.#connect(), delay);
  }

  // --- server messages --------------------------------------------------------------------

  #register(sig) {
    const on = (type, fn) => sig.on(type, (m) => (this.#sig === sig ? fn(m) : undefined));
    on('welcome', (m) => this.#onWelcome(m));
    on('joined', (m) => this.#onJoined(m));
    on('participant_joined', (m) => {
      this.#addPerson(m.participant, m.name, []);
      this.#ui.addNote(`${m.name} joined`);
      this.#renderPeople();
    });
    on('participant_left', (m) => {
      const who = this.#people.get(m.participant);
      this.#people.delete(m.participant);
      this.#ui.grid.remove(m.participant);
      if (who) this.#ui.addNote(`${who.name} left${m.reason === 'disconnected' ? ' (lost connection)' : ''}`);
      this.#renderPeople();
    });
    on('track_published', (m) => {
      this.#people.get(m.participant)?.tracks.add(m.kind);
      this.#renderPeople();
    });
    on('track_ended', (m) => {
      this.#people.get(m.participant)?.tracks.delete(m.kind);
      this.#remoteTracks = this.#remoteTracks.filter(
        (t) => !(t.participant === m.participant && t.track === m.track),
      );
      this.#renderPeople();
      this.#showRemoteTracks();
    });
    on('publish_answer', (m) => this.#pub?.applyAnswer(m.sdp).catch((e) => this.#mediaError('publish', e)));
    on('subscribe_offer', (m) => this.#onSubscribeOffer(m));
    on('candidate', (m) => {
      const target = m.conn === 'publish' ? this.#pub : m.conn === 'subscribe' ? this.#sub : null;
      target?.addRemoteCandidate(m.candidate ?? '', m.sdp_mline_index);
    });
    on('connection_state', (m) => console.info(`carrel: server sees ${m.conn} ${m.state}`));
    on('chat', (m) =>
      this.#ui.addChat({
        name: m.from?.name ?? '?',
        text: String(m.text ?? ''),
        ts: m.ts,
        self: m.from?.participant === this.#self,
      }),
    );
    on('error', (m) => this.#onError(m));
    on('pong', () => {});
    on('left', () => {});
  }

  #onWelcome(m) {
    if (m.protocol !== 1) console.warn('carrel: server speaks protocol', m.protocol);
    this.#self = m.participant;
    this.iceServers = Array.isArray(m.ice_servers) ? m.ice_servers : [];
    this.allowed = candidateFilter(m.candidate_networks);
    this.#sig.send({ type: 'join', room: this.#room });
  }

  async #onJoined(m) {
    this.#attempt = 0;
    this.#people.clear();
    for (const p of m.participants ?? []) {
      this.#addPerson(p.participant, p.name, (p.tracks ?? []).map((t) => t.kind));
    }
    this.#renderPeople();
    this.#ui.status(`In room ${m.room ?? this.#room}.`, 'ok');
    const common = { iceServers: this.iceServers, send: (msg) => this.#sig?.send(msg), allowed: this.allowed };
    this.#sub = new Subscriber({
      ...common,
      onState: (s) => this.#ui.setConn('subscribe', s),
      onTracks: (list) => {
        this.#remoteTracks = list;
        this.#showRemoteTracks();
      },
    });
    this.#ui.setConn('subscribe', 'new');
    this.#pub = new Publisher({ ...common, onState: (s) => this.#connState('publish', s) });
    try {
      const publishing = await this.#pub?.start(this.#stream);
      this.#ui.setConn('publish', publishing ? 'new' : 'off');
    } catch (e) {
      this.#mediaError('publish', e);
    }
  }

  #onSubscribeOffer(m) {
    if (!this.#sub) return;
    this.#sub.handleOffer(m.sdp, m.tracks).catch((e) => this.#mediaError('subscribe', e));
  }

  #onError(m) {
    const about = m.ref ? this.#sig?.sentType(m.ref) : undefined;
    const text = ERROR_TEXT[m.code] ?? m.code;
    console.warn('carrel: server error', m.code, m.message, about ? `(about ${about})` : '');
    const detail = m.message && m.message !== text ? ` — ${m.message}` : '';
    if ((about === 'join' || about === 'hello') && RETRYABLE_JOIN.has(m.code)) {
      this.#dropped(`Could not join: ${text} [${m.code}]`);
      return;
    }
    if (about === 'join' || about === 'hello') {
      this.#ui.status(`Could not join: ${text} [${m.code}]${detail}.`, 'error');
      this.#active = false;
      this.#closeSession();
      stopStream(this.#stream);
      this.#stream = null;
      this.onGiveUp?.();
      return;
    }
    this.#ui.status(`Server error: ${text} [${m.code}]${detail}`, 'error');
  }

  #connState(conn, state) {
    this.#ui.setConn(conn, state);
    if (state === 'failed') this.#ui.status(`The ${conn === 'publish' ? 'sending' : 'receiving'} connection failed.`, 'error');
  }

  #mediaError(conn, err) {
    console.error(`carrel: ${conn} connection:`, err);
    this.#ui.status(`Media error (${conn}): ${err.message ?? err}`, 'error');
  }

  // --- view -------------------------------------------------------------------------------

  #addPerson(id, name, kinds) {
    if (!id || id === this.#self) return;
    const existing = this.#people.get(id);
    const tracks = existing?.tracks ?? new Set();
    for (const k of kinds) tracks.add(k);
    this.#people.set(id, { name: String(name ?? '?'), tracks });
    this.#ui.grid.upsert(id, String(name ?? '?'));
    this.#showRemoteTracks();
  }

  #showRemoteTracks() {
    const byPerson = new Map();
    for (const t of this.#remoteTracks) {
      if (!this.#people.has(t.participant)) continue; // its participant_joined is on the way
      const list = byPerson.get(t.participant) ?? [];
      // One picture per tile: the first video track wins; every audio track plays.
      if (t.kind !== 'video' || !list.some((x) => x.kind === 'video')) list.push(t.mediaTrack);
      byPerson.set(t.participant, list);
    }
    this.#ui.grid.setRemoteTracks(byPerson);
  }

  #renderPeople() {
    const selfKinds = new Set((this.#stream?.getTracks() ?? []).map((t) => t.kind));
    const people = [{ id: this.#self ?? 'self', name: this.#name, self: true, tracks: selfKinds }];
    for (const [id, p] of this.#people) people.push({ id, name: p.name, self: false, tracks: p.tracks });
    this.#ui.setParticipants(people);
  }
}
