// One participant's session in a room: the WebSocket conversation of docs/protocol.md, the
// two peer connections, and reconnection (with backoff) when the socket drops.

import { candidateFilter } from './candidates.js';
import { LocalMedia } from './local-media.js';
import { ModerationView } from './moderation.js';
import { Publisher } from './publisher.js';
import { RemoteView } from './remote-view.js';
import { Roster } from './roster.js';
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
  room_full: 'the room is full',
  room_locked: 'this room needs its password or invite link (or the password was wrong)',
  unauthorized: 'your session has ended; log in again',
  no_such_message: 'that message is gone',
  not_your_message: 'you can only change your own messages',
  no_such_material: 'that file is not shared in this room',
  no_database: 'this server keeps no chat history',
  storage_unavailable: 'the server’s database is restarting; try again in a moment',
  banned: 'you are banned from this room',
  locked_by_moderator: 'a moderator locked this room: no new participants for now',
  refused: 'a moderator did not let you in',
  room_closed: 'the room was closed',
  muted_by_moderator: 'a moderator muted this; only a moderator can allow it again',
  forbidden: 'only moderators may do that',
  owner_only: 'only the room’s owner may do that',
  outranked: 'you cannot do that to someone of your rank or higher',
  no_such_participant: 'that participant is no longer in the room',
  not_a_user: 'guests cannot be banned or made moderators',
  not_banned: 'that user has no ban in force here',
};

const REMOVED_TEXT = {
  kick: 'A moderator removed you from the room',
  ban: 'A moderator banned you from the room',
  afk: 'You were removed from the room: you did not answer the presence check',
  room_closed: 'The room was closed',
};

const CLOSE_REPLACED = 4001; // the account connected again elsewhere: do not come back
const SUBSCRIBE_DELAY_MS = 50; // page flips and joins in one burst make one `subscribe`

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
  #resumeToken = ''; // from welcome: offered in the next hello after a drop
  #people = new Roster();
  #remote;
  #selective = true; // the server takes `subscribe` (only visible tiles' video is sent)
  #wanted = null; // the `video` list last sent, as JSON
  #subscribeTimer = 0;
  #active = false; // between join() and leave()
  #attempt = 0;
  #retryTimer = 0;
  #pingTimer = 0;
  #mod;

  constructor(ui) {
    this.#ui = ui;
    this.#mod = new ModerationView({
      send: (m) => this.send(m),
      status: (text, kind) => this.#ui.status(text, kind),
      note: (text) => this.#ui.addNote(text),
      nameOf: (id) => (id && id === this.#self ? this.#name : this.#people.name(id)),
      onForceMute: (kind, muted) => this.#forceMute(kind, muted),
      onStopScreen: () => this.stopScreen(),
    });
    this.#remote = new RemoteView(ui, this.#people);
    ui.grid.onVisibleChange = () => this.#updateSubscription();
  }

  // The others whose tiles are shown now (tests read it; the paged grid decides it).
  get visibleParticipants() {
    return this.#ui.grid.visible();
  }

  // The video tracks we asked the server for, [{participant, track}] (null before any).
  get subscribedVideo() {
    return this.#wanted === null ? null : JSON.parse(this.#wanted);
  }

  get active() {
    return this.#active;
  }

  get room() {
    return this.#room;
  }

  // Our participant id in this session (null between sessions).
  get selfId() {
    return this.#self;
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
    this.#resumeToken = '';
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

  // Our role in the room: member, moderator, owner or admin.
  get role() {
    return this.#mod.role;
  }

  #setMuted(kind, muted) {
    // The server would refuse it (muted_by_moderator); say so without asking.
    if (!muted && this.#mod.isForceMuted(kind)) {
      this.#ui.status('A moderator muted this; only a moderator can allow it again.', 'error');
      return;
    }
    if (kind === 'audio') this.#media.setMicMuted(muted);
    else this.#media.setCameraMuted(muted);
    if (this.#self) this.#sig?.send({ type: 'mute', kind, muted });
    this.#ui.grid.setMuted('self', kind, muted);
    this.#ui.setMediaState(this.#media.state());
    this.#renderPeople();
  }

  // A moderator muted (or allowed) one of our kinds: the server already stopped forwarding
  // it; mute it here too so the buttons tell the truth.
  #forceMute(kind, muted) {
    if (kind === 'screen') {
      if (muted && this.#media.screen) this.stopScreen();
      return;
    }
    if (!muted) return; // allowed again: the user unmutes when they wish
    if (kind === 'audio') this.#media.setMicMuted(true);
    else if (kind === 'video') this.#media.setCameraMuted(true);
    this.#ui.grid.setMuted('self', kind, true);
    this.#ui.setMediaState(this.#media.state());
    this.#renderPeople();
  }

  async toggleScreen() {
    if (this.#media.screen) return this.stopScreen();
    if (this.#mod.isForceMuted('screen')) {
      this.#ui.status('A moderator stopped your screen share; only a moderator can allow it again.', 'error');
      return;
    }
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
    this.#resumeToken = '';
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
    sig.onClose = (e) =>
      e.code === CLOSE_REPLACED
        ? this.#giveUp('You joined from another tab or device; this page has left the room.', 'session_replaced')
        : this.#dropped(`Lost the server (code ${e.code})`);
    this.#ui.setConn('server', 'open');
    // Back within the server's grace period, the resume token keeps our place in the room:
    // the others see no leave and no join.
    const hello = { type: 'hello', name: this.#name };
    if (this.#resumeToken) hello.resume = this.#resumeToken;
    sig.send(hello);
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
    this.#remote.clear();
    this.#ui.grid.clearRemote();
    this.#wanted = null;
    clearTimeout(this.#subscribeTimer);
    this.#mod.reset();
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
    on('resumed', (m) => this.#onJoined(m));
    on('participant_joined', (m) => {
      this.#addPerson(m.participant, m.name, m.tracks ?? []);
      this.#ui.addNote(`${m.name} joined`);
      this.#renderPeople();
    });
    on('participant_left', (m) => {
      const who = this.#people.remove(m.participant);
      this.#ui.grid.remove(m.participant);
      this.#remote.render();
      this.#updateSubscription();
      if (who) this.#ui.addNote(`${who.name} left${m.reason === 'disconnected' ? ' (lost connection)' : ''}`);
      this.#renderPeople();
    });
    on('track_published', (m) => {
      this.#people.publish(m.participant, m);
      this.#renderPeople();
      this.#updateSubscription();
    });
    on('track_muted', (m) => {
      if (m.participant === this.#self) return;
      if (!this.#people.setMuted(m.participant, m.kind, !!m.muted)) return;
      this.#ui.grid.setMuted(m.participant, m.kind, !!m.muted);
      this.#renderPeople();
    });
    on('session_replaced', () => {
      this.#giveUp('You joined from another tab or device; this page has left the room.', 'session_replaced');
    });
    on('track_ended', (m) => {
      this.#people.unpublish(m.participant, m);
      this.#remote.drop(m.participant, m.track);
      this.#renderPeople();
      this.#updateSubscription();
    });
    on('publish_answer', (m) => this.#pub?.applyAnswer(m.sdp).catch((e) => this.#mediaError('publish', e)));
    on('subscribe_offer', (m) => this.#onSubscribeOffer(m));
    on('candidate', (m) => {
      const target = m.conn === 'publish' ? this.#pub : m.conn === 'subscribe' ? this.#sub : null;
      target?.addRemoteCandidate(m.candidate ?? '', m.sdp_mline_index);
    });
    on('connection_state', (m) => console.info(`carrel: server sees ${m.conn} ${m.state}`));
    on('chat', (m) => this.#ui.chat.onChat(m));
    on('chat_history', (m) => this.#ui.chat.onHistory(m));
    on('chat_edited', (m) => this.#ui.chat.onEdited(m));
    on('chat_deleted', (m) => this.#ui.chat.onDeleted(m));
    on('chat_ack', () => {});
    on('error', (m) => this.#onError(m));
    on('pong', () => {});
    on('left', () => {});
    for (const [type, fn] of Object.entries(this.#mod.handlers())) on(type, fn);
    on('removed', (m) => {
      const base = REMOVED_TEXT[m.action] ?? 'You were removed from the room';
      const until = Number(m.until) > 0 ? ` until ${new Date(Number(m.until)).toLocaleString()}` : '';
      this.#giveUp(`${base}${until}${m.reason ? `: ${m.reason}` : ''}.`, 'removed');
    });
    on('waiting', () => this.#ui.status('Waiting for a moderator to let you in…'));
    for (const [type, fn] of this.#handlers) on(type, fn);
  }

  #onWelcome(m) {
    if (m.protocol !== 1) console.warn('carrel: server speaks protocol', m.protocol);
    this.#self = m.participant;
    this.iceServers = Array.isArray(m.ice_servers) ? m.ice_servers : [];
    this.allowed = candidateFilter(m.candidate_networks);
    this.#resumeToken = typeof m.resume_token === 'string' ? m.resume_token : '';
    if (m.resumed) return; // `resumed` follows, with who is in the room
    // Video only for what we show (a paged grid); a server without selective subscription
    // ignores the field and sends everything.
    const join = { type: 'join', room: this.#room, video: 'selected' };
    if (this.#joinOpts.password) join.password = this.#joinOpts.password;
    if (this.#joinOpts.invite) join.invite = this.#joinOpts.invite;
    this.#sig.send(join);
  }

  async #onJoined(m) {
    if (this.#attempt > 0) this.#ui.addNote(m.type === 'resumed' ? 'Reconnected: your place was kept.' : 'Reconnected.');
    this.#attempt = 0;
    this.#people.clear();
    for (const p of m.participants ?? []) this.#addPerson(p.participant, p.name, p.tracks ?? []);
    this.#wanted = null;
    this.#updateSubscription();
    this.#renderPeople();
    this.#ui.status(`In room ${this.#joinOpts.title || m.room || this.#room}.`, 'ok');
    // A new session starts unmuted at the server: tell it what we still have off.
    if (this.#media.micMuted) this.#sig.send({ type: 'mute', kind: 'audio', muted: true });
    if (this.#media.cameraMuted) this.#sig.send({ type: 'mute', kind: 'video', muted: true });
    const common = { iceServers: this.iceServers, send: (msg) => this.#sig?.send(msg), allowed: this.allowed };
    this.#sub = new Subscriber({
      ...common,
      onState: (s) => this.#ui.setConn('subscribe', s),
      onTracks: (list) => this.#remote.set(list),
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
    if (about === 'chat_history') this.#ui.chat.historyFailed();
    if (m.code === 'rate_limited') {
      const s = Math.max(1, Math.ceil((Number(m.retry_after_ms) || 1000) / 1000));
      this.#ui.status(`You are sending messages too fast: wait ${s} s and send again.`, 'error');
      return;
    }
    if (!about && m.code === 'media_unavailable') {
      // The media server tore this participant's media down (the server takes it out of the
      // room next): come back as after a lost connection, with the same backoff.
      this.#dropped(`Media lost: ${m.message || text}`);
      return;
    }
    if (about === 'subscribe' && m.code === 'unknown_type') {
      // An older server: it forwards every video anyway.
      this.#selective = false;
      return;
    }
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
    this.#resumeToken = '';
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

  #addPerson(id, name, tracks) {
    if (!id || id === this.#self) return;
    this.#people.add(id, name, tracks);
    this.#ui.grid.upsert(id, String(name ?? '?'));
    this.#mod.decorate(id);
    this.#remote.render();
  }

  // Asks the server for the video we show: the cameras on the grid's current page and every
  // screen share (a room rarely has more than one, and the stage shows the latest).
  #updateSubscription() {
    clearTimeout(this.#subscribeTimer);
    this.#subscribeTimer = setTimeout(() => {
      if (!this.#selective || !this.#self || !this.#sub) return;
      const video = [
        ...this.#people.tracksOf('camera', this.#ui.grid.visible()),
        ...this.#people.tracksOf('screen'),
      ].slice(0, 64);
      const key = JSON.stringify(video);
      if (key === this.#wanted) return;
      if (this.#sig?.send({ type: 'subscribe', video })) this.#wanted = key;
    }, SUBSCRIBE_DELAY_MS);
  }

  #renderPeople() {
    const m = this.#media;
    const selfKinds = new Set((m.stream?.getTracks() ?? []).map((t) => t.kind));
    if (m.screen) selfKinds.add('screen');
    const selfMuted = new Set([m.micMuted && 'audio', m.cameraMuted && 'video'].filter(Boolean));
    const people = [{ id: this.#self ?? 'self', name: this.#name, self: true, tracks: selfKinds, muted: selfMuted }];
    for (const p of this.#people.list()) people.push({ ...p, self: false });
    this.#ui.setParticipants(people);
  }
}
