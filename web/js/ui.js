// Everything the page shows besides the videos: lobby and room views, the status line and
// connection pills, the participant list and the chat.

import { ChatPanel } from './chat.js';
import { ScreenStage } from './screen-stage.js';
import { VideoGrid } from './tiles.js';

const $ = (id) => document.getElementById(id);

export class UI {
  constructor() {
    this.grid = new VideoGrid($('grid'), {
      nav: $('grid-pager'),
      prev: $('page-prev'),
      next: $('page-next'),
      label: $('page-label'),
    });
    this.screen = new ScreenStage($('screen-stage'), $('grid'));
    this.el = {
      lobby: $('lobby'),
      room: $('room'),
      roomTitle: $('room-title'),
      joinForm: $('join-form'),
      joinButton: $('join-button'),
      name: $('name-input'),
      room_: $('room-input'),
      leave: $('leave-button'),
      status: $('status'),
      participants: $('participants'),
      count: $('people-count'),
      chatLog: $('chat-log'),
      chatForm: $('chat-form'),
      chatInput: $('chat-input'),
      conn: { server: $('conn-server'), publish: $('conn-publish'), subscribe: $('conn-subscribe') },
      accountBar: $('account-bar'),
      accountName: $('account-name'),
      logout: $('logout-button'),
      media: { mic: $('mic-button'), camera: $('camera-button'), screen: $('screen-button') },
    };
    // send, isMine and download are set by app.js once the client exists.
    this.chat = new ChatPanel({
      log: $('chat-log'),
      older: $('chat-older'),
      send: () => false,
      isMine: () => false,
      download: () => {},
      status: (text, kind) => this.status(text, kind),
    });
    this.views = { signin: $('signin'), rooms: $('rooms'), lobby: $('lobby'), room: $('room') };
  }

  // Shows one of the page's views (signin, rooms, lobby, room) and hides the others.
  showView(name) {
    for (const [key, el] of Object.entries(this.views)) el.hidden = key !== name;
    this.el.roomTitle.hidden = name !== 'room';
    if (name !== 'room') document.title = 'Carrel — study room';
  }

  // user: {display_name, login} or null (signed out, or a server without accounts).
  setAccount(user) {
    this.el.accountBar.hidden = !user;
    this.el.accountName.textContent = user ? user.display_name || user.login : '';
    const admin = $('admin-link');
    if (admin) admin.hidden = !user?.admin;
  }

  bindAccount({ onLogout }) {
    this.el.logout.addEventListener('click', () => onLogout());
  }

  // onMic(), onCamera(), onScreen(): the room's media buttons.
  bindMedia({ onMic, onCamera, onScreen }) {
    this.el.media.mic.addEventListener('click', () => onMic());
    this.el.media.camera.addEventListener('click', () => onCamera());
    this.el.media.screen.addEventListener('click', () => onScreen());
  }

  // state: {mic: {have, muted}, camera: {have, muted}, screen: {can, on}}
  setMediaState({ mic, camera, screen }) {
    const b = this.el.media;
    b.mic.disabled = !mic.have;
    b.mic.textContent = mic.muted ? 'Unmute microphone' : 'Mute microphone';
    b.mic.setAttribute('aria-pressed', String(!!mic.muted));
    b.camera.disabled = !camera.have;
    b.camera.textContent = camera.muted ? 'Turn camera on' : 'Turn camera off';
    b.camera.setAttribute('aria-pressed', String(!!camera.muted));
    b.screen.disabled = !screen.can;
    b.screen.textContent = screen.on ? 'Stop sharing' : 'Share screen';
    b.screen.setAttribute('aria-pressed', String(!!screen.on));
  }

  // onJoin({name, room}), onLeave(), onChat(text) -> returns false to keep the text.
  bind({ onJoin, onLeave, onChat }) {
    this.el.joinForm.addEventListener('submit', (e) => {
      e.preventDefault();
      onJoin({ name: this.el.name.value.trim(), room: this.el.room_.value.trim() });
    });
    this.el.leave.addEventListener('click', () => onLeave());
    this.el.chatForm.addEventListener('submit', (e) => {
      e.preventDefault();
      if (onChat(this.el.chatInput.value) !== false) this.el.chatInput.value = '';
    });
  }

  showLobby({ name, room }) {
    this.el.name.value = name;
    this.el.room_.value = room;
    this.el.joinButton.disabled = false;
    this.resetRoom();
    this.showView('lobby');
    (name ? this.el.room_ : this.el.name).focus();
  }

  // Empties the room view (after leaving it).
  resetRoom() {
    $('reconnect-banner').hidden = true;
    this.screen.clear();
    this.grid.clearRemote();
    this.grid.removeSelf();
    this.el.participants.replaceChildren();
    this.el.count.textContent = '0';
    this.chat.reset();
    for (const which of Object.keys(this.el.conn)) this.setConn(which, 'idle');
  }

  showRoom(title) {
    this.showView('room');
    this.el.roomTitle.textContent = `Room ${title}`;
    document.title = `${title} — Carrel`;
    this.el.chatInput.focus();
  }

  setJoining(busy) {
    this.el.joinButton.disabled = busy;
  }

  // kind: 'info', 'ok' or 'error'
  status(text, kind = 'info') {
    this.el.status.textContent = text;
    this.el.status.dataset.kind = kind;
  }

  setConn(which, state) {
    // Losing the server while in a room is shown on the stage too, not only in the top bar.
    if (which === 'server' && state === 'reconnecting') $('reconnect-banner').hidden = false;
    if (which === 'server' && state === 'open') $('reconnect-banner').hidden = true;
    const pill = this.el.conn[which];
    if (!pill) return;
    pill.textContent = state;
    pill.dataset.state = state;
  }

  // people: [{id, name, self, tracks: Set of kinds, muted: Set of kinds}]
  setParticipants(people) {
    const items = people.map((p) => {
      const li = document.createElement('li');
      li.dataset.participant = p.id;
      const dot = document.createElement('span');
      dot.className = 'dot';
      dot.setAttribute('aria-hidden', 'true');
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = p.name;
      li.append(dot, name);
      if (p.self) {
        const you = document.createElement('span');
        you.className = 'you';
        you.textContent = '(you)';
        li.append(you);
      }
      const media = document.createElement('span');
      media.className = 'media';
      const muted = p.muted ?? new Set();
      media.textContent = [
        p.tracks.has('video') && (muted.has('video') ? 'camera off' : 'camera'),
        p.tracks.has('audio') && (muted.has('audio') ? 'mic muted' : 'mic'),
        p.tracks.has('screen') && 'screen',
      ]
        .filter(Boolean)
        .join(' · ');
      li.append(media);
      return li;
    });
    this.el.participants.replaceChildren(...items);
    this.el.count.textContent = String(people.length);
  }

  addNote(text) {
    this.chat.addNote(text);
  }
}
