// Everything the page shows besides the videos: lobby and room views, the status line and
// connection pills, the participant list and the chat.

import { VideoGrid } from './tiles.js';

const $ = (id) => document.getElementById(id);

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export class UI {
  constructor() {
    this.grid = new VideoGrid($('grid'));
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
    };
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
    this.el.room.hidden = true;
    this.el.roomTitle.hidden = true;
    this.el.lobby.hidden = false;
    this.grid.clearRemote();
    this.grid.removeSelf();
    this.el.participants.replaceChildren();
    this.el.count.textContent = '0';
    this.el.chatLog.replaceChildren();
    for (const which of Object.keys(this.el.conn)) this.setConn(which, 'idle');
    (name ? this.el.room_ : this.el.name).focus();
  }

  showRoom(room) {
    this.el.lobby.hidden = true;
    this.el.room.hidden = false;
    this.el.roomTitle.hidden = false;
    this.el.roomTitle.textContent = `Room ${room}`;
    document.title = `${room} — Carrel`;
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
    const pill = this.el.conn[which];
    if (!pill) return;
    pill.textContent = state;
    pill.dataset.state = state;
  }

  // people: [{id, name, self, tracks: Set of kinds}]
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
      media.textContent = [p.tracks.has('video') && 'camera', p.tracks.has('audio') && 'mic']
        .filter(Boolean)
        .join(' · ');
      li.append(media);
      return li;
    });
    this.el.participants.replaceChildren(...items);
    this.el.count.textContent = String(people.length);
  }

  addChat({ name, text, ts, self }) {
    const li = document.createElement('li');
    if (self) li.classList.add('mine');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = name;
    const when = document.createElement('time');
    const date = new Date(Number.isFinite(ts) ? ts : Date.now());
    when.dateTime = date.toISOString();
    when.textContent = timeFormat.format(date);
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = text;
    li.append(who, when, body);
    this.#appendChat(li);
  }

  addNote(text) {
    const li = document.createElement('li');
    li.className = 'note';
    li.textContent = text;
    this.#appendChat(li);
  }

  #appendChat(li) {
    const log = this.el.chatLog;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(li);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}
