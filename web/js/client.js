// One participant's session in a room: the WebSocket conversation of docs/protocol.md, the
// two peer connections, and reconnection (with backoff) when the socket drops.

import { candidateFilter } from './candidates.js';
import { LocalMedia } from './local-media.js';
import { Publisher } from './publisher.js';
import { controlUrl, Signaling } from './signaling.js';
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
  no_such_room: 'there is no such room',
  room_not_found: 'there is no such room',
  not_found: 'there is no such room',
  room_full: 'the room is full',
  wrong_password: 'the room password is wrong',
  bad_password: 'the room password is wrong',
  password_required: 'this room needs its password',
  forbidden: 'you may not join this room',
  invite_required: 'this private room needs its invite link',
  banned: 'you are banned from this room',
  unauthorized: 'your session has ended; log in again',
};

// A screen share is its own track: kind `screen` in the subscribe offer's `tracks`.
function isScreen(t) {
  return t.kind === 'screen' || /^screen/.test(String(t.track ?? ''));
}

export class RoomClient {
  #ui;
  #sig = null;
  #pub = null;
  #sub = null;
  #media = new LocalMedia();
  #name = '';
  #room = '';
  #joinOpts = {}; // {token, password, invite}
  #handlers = new Map(); // extra server message handlers (panels)
  #self = null; // our participant id from welcome
  #people = new Map(); // id -> {name, tracks: Set of kinds, muted: Set of kinds}
  #remoteTracks = [];
  #screens = new Map(); // participant -> {track, stream} shown on the screen stage
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

  get room() {
    return this.#room;
  }

  // Registers fn(message) for a server message type the client itself does not handle (the
  // side panels' messages); it applies to every later connection.
  onMessage(type, fn) {
    this.#handlers.set(type, fn);
  }

  // Sends a message on the current connection; false when not connected and in a room.
  send(message) {
    if (!this.#sig?.isOpen || !this.#self) return false;
    return this.#sig.send(message) !== null;
  }

  // opts: {token (access token for a server with accounts), password, invite, title}
  async join(name, room, opts = {}) {
    if (this.#active) return;
    this.#active = true;
    this.#name = name;
    this.#room = room;
    this.#joinOpts = opts;
    this.#attempt = 0;
    this.#ui.showRoom(opts.title || room);
    this.#ui.status('Starting camera and microphone…');
    const media = new LocalMedia();
    this.#media = media;
    media.onScreenEnded = () => this.stopScreen();
    const problem = await media.start();
    if (!this.#active || this.#media !== media) {
      media.stop();
      return;
    }
    this.#ui.grid.setSelf(name, media.stream);
    this.#ui.setMediaState(media.state());
    if (problem) this.#ui.status(`Joining without full media: ${problem}.`, 'error');
    this.#renderPeople();
    this.#connect();
  }

  toggleMic() {
    this.#setMuted('audio', !this.#media.micMuted);
  }

  toggleCamera() {
    this.#setMuted('video', !this.#media.cameraMuted);
  }

  #setMuted(kind, muted) {
    if (kind === 'audio') this.#media.setMicMuted(muted);
    else this.#media.setCameraMuted(muted);
    if (this.#self) this.#sig?.send({ type: 'mute', kind, muted });
    this.#ui.grid.setMuted('self', kind, muted);
    this.#ui.setMediaState(this.#media.state());
    this.#renderPeople();
  }

  async toggleScreen() {
    if (this.#media.screen) return this.stopScreen();
    let track;
    try {
      track = await this.#media.startScreen();
    } catch (err) {
      this.#ui.status(`Screen sharing did not start: ${err.message ?? err}`, 'error');
      return;
    }
    this.#ui.setMediaState(this.#media.state());
    this.#ui.screen.set('self', this.#name, this.#media.screen, true);
    this.#renderPeople();
    try {
      await this.#pub?.setScreen(track, this.#media.screen);
    } catch (e) {
      this.#mediaError('publish', e);
    }
  }

  async stopScreen() {
    this.#media.stopScreen();
    this.#ui.setMediaState(this.#media.state());
    this.#ui.screen.set('self', this.#name, null, true);
    this.#renderPeople();
    try {
      await this.#pub?.setScreen(null, null);
    } catch (e) {
      this.#mediaError('publish', e);
    }
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
    this.#media.stop();
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
      await sig.open(controlUrl(this.#joinOpts.token));
    } catch (err) {
      if (this.#sig !== sig) return;
      // A refused upgrade looks like any other failure from here: ask the app whether our
      // token still holds before trying again.
      if (this.#joinOpts.token && (await this.onConnectFailed?.()) === false) {
        this.#giveUp('Your session has ended; please log in again.');
        return;
      }
      this.#dropped(err.message);
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
    this.#showScreens(new Map());
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
      this.#showRemoteTracks();
      if (who) this.#ui.addNote(`${who.name} left${m.reason === 'disconnected' ? ' (lost connection)' : ''}`);
      this.#renderPeople();
    });
    on('track_published', (m) => {
      this.#people.get(m.participant)?.tracks.add(m.kind);
      this.#renderPeople();
    });
    on('track_muted', (m) => {
      if (m.participant === this.#self) return;
      const who = this.#people.get(m.participant);
      if (!who) return;
      if (m.muted) who.muted.add(m.kind);
      else who.muted.delete(m.kind);
      this.#ui.grid.setMuted(m.participant, m.kind, !!m.muted);
      this.#renderPeople();
    });
    on('session_replaced', () => {
      this.#giveUp('You joined from another tab or device; this page has left the room.');
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
    for (const [type, fn] of this.#handlers) on(type, fn);
  }

  #onWelcome(m) {
    if (m.protocol !== 1) console.warn('carrel: server speaks protocol', m.protocol);
    this.#self = m.participant;
    this.iceServers = Array.isArray(m.ice_servers) ? m.ice_servers : [];
    this.allowed = candidateFilter(m.candidate_networks);
    const join = { type: 'join', room: this.#room };
    if (this.#joinOpts.password) join.password = this.#joinOpts.password;
    if (this.#joinOpts.invite) join.invite = this.#joinOpts.invite;
    this.#sig.send(join);
  }

  async #onJoined(m) {
    this.#attempt = 0;
    this.#people.clear();
    for (const p of m.participants ?? []) {
      this.#addPerson(p.participant, p.name, (p.tracks ?? []).map((t) => t.kind));
    }
    this.#renderPeople();
    this.#ui.status(`In room ${this.#joinOpts.title || m.room || this.#room}.`, 'ok');
    // A new session starts unmuted at the server: tell it what we still have off.
    if (this.#media.micMuted) this.#sig.send({ type: 'mute', kind: 'audio', muted: true });
    if (this.#media.cameraMuted) this.#sig.send({ type: 'mute', kind: 'video', muted: true });
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
      const publishing = await this.#pub?.start(this.#media.stream, this.#media.screen);
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
      this.#giveUp(`Could not join: ${text} [${m.code}]${detail}.`, m.code);
      return;
    }
    this.#ui.status(`Server error: ${text} [${m.code}]${detail}`, 'error');
  }

  // Leaves for good (no reconnection), says why, and lets the app show where to go next.
  #giveUp(why, code) {
    this.#active = false;
    clearTimeout(this.#retryTimer);
    this.#closeSession();
    this.#media.stop();
    this.onGiveUp?.(why, code);
    this.#ui.status(why, 'error');
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
    this.#people.set(id, { name: String(name ?? '?'), tracks, muted: existing?.muted ?? new Set() });
    this.#ui.grid.upsert(id, String(name ?? '?'));
    this.#showRemoteTracks();
  }

  #showRemoteTracks() {
    const byPerson = new Map();
    const screens = new Map();
    for (const t of this.#remoteTracks) {
      if (!this.#people.has(t.participant)) continue; // its participant_joined is on the way
      if (isScreen(t)) {
        screens.set(t.participant, t.mediaTrack);
        continue;
      }
      const list = byPerson.get(t.participant) ?? [];
      // One picture per tile: the first video track wins; every audio track plays.
      if (t.kind !== 'video' || !list.some((x) => x.kind === 'video')) list.push(t.mediaTrack);
      byPerson.set(t.participant, list);
    }
    this.#ui.grid.setRemoteTracks(byPerson);
    this.#showScreens(screens);
  }

  // screens: Map participant -> MediaStreamTrack. One MediaStream per track, kept, so the
  // stage's <video> is not reset by unrelated changes.
  #showScreens(screens) {
    for (const [id, shown] of this.#screens) {
      if (screens.get(id) === shown.track) continue;
      this.#screens.delete(id);
      this.#ui.screen.set(id, '', null);
    }
    for (const [id, track] of screens) {
      if (this.#screens.has(id)) continue;
      const stream = new MediaStream([track]);
      this.#screens.set(id, { track, stream });
      this.#ui.screen.set(id, this.#people.get(id)?.name ?? '?', stream);
    }
  }

  #renderPeople() {
    const m = this.#media;
    const selfKinds = new Set((m.stream?.getTracks() ?? []).map((t) => t.kind));
    if (m.screen) selfKinds.add('screen');
    const selfMuted = new Set([m.micMuted && 'audio', m.cameraMuted && 'video'].filter(Boolean));
    const people = [{ id: this.#self ?? 'self', name: this.#name, self: true, tracks: selfKinds, muted: selfMuted }];
    for (const [id, p] of this.#people) people.push({ id, name: p.name, self: false, tracks: p.tracks, muted: p.muted });
    this.#ui.setParticipants(people);
  }
}
