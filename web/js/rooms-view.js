// The room directory of a server with accounts: search (title words, #tags, category), the
// list with who is in each room now, creating a room, and the card of a room reached by a
// link (?room=…&invite=…), which may ask for the room's password.

import { describeApiError } from './api.js';

const $ = (id) => document.getElementById(id);

// "algebra #math #Exam" -> {q: "algebra", tag: "math"}: the API filters on one tag.
export function parseSearch(text) {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const tags = words.filter((w) => w.startsWith('#') && w.length > 1).map((w) => w.slice(1).toLowerCase());
  const rest = words.filter((w) => !w.startsWith('#'));
  return { q: rest.join(' '), tag: tags[0] ?? '' };
}

export function inviteLink(room) {
  const url = new URL(location.href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('room', room.id);
  if (room.invite_code) url.searchParams.set('invite', room.invite_code);
  return url.href;
}

export class RoomsView {
  #api;
  #status;
  #onJoin;
  #linked = null; // {room, invite} from the page's link

  // onJoin({id, title, password, invite}); status(text, kind) reports problems; userId()
  // is the signed-in user's id (owners need no password).
  constructor({ api, status, onJoin, userId }) {
    this.#api = api;
    this.userId = userId;
    this.#status = status;
    this.#onJoin = onJoin;
    this.el = {
      section: $('rooms'),
      list: $('room-list'),
      empty: $('room-list-empty'),
      search: $('search-form'),
      q: $('search-input'),
      category: $('search-category'),
      create: $('create-form'),
      createButton: $('create-button'),
      invite: $('invite-card'),
      inviteTitle: $('invite-title'),
      inviteDetail: $('invite-detail'),
      inviteForm: $('invite-form'),
      invitePassword: $('invite-password'),
    };
    this.el.search.addEventListener('submit', (e) => {
      e.preventDefault();
      this.refresh();
    });
    this.el.create.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#create();
    });
    this.el.inviteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const l = this.#linked;
      if (!l?.room) return;
      this.#onJoin({ id: l.room.id, title: l.room.title, password: this.el.invitePassword.value, invite: l.invite });
    });
  }

  async show(linked) {
    this.el.section.hidden = false;
    this.#linked = linked?.id ? linked : null;
    await Promise.all([this.#showLinked(), this.refresh()]);
  }

  hide() {
    this.el.section.hidden = true;
  }

  async refresh() {
    const { q, tag } = parseSearch(this.el.q.value);
    const params = new URLSearchParams({ limit: '50' });
    if (q) params.set('q', q);
    if (tag) params.set('tag', tag);
    const category = this.el.category.value.trim();
    if (category) params.set('category', category);
    try {
      const r = await this.#api.get(`/rooms?${params}`);
      this.#render(r.rooms ?? []);
    } catch (err) {
      this.#status(`Could not list the rooms: ${describeApiError(err)}`, 'error');
    }
  }

  async #showLinked() {
    const card = this.el.invite;
    const l = this.#linked;
    card.hidden = !l;
    if (!l) return;
    const qs = l.invite ? `?invite=${encodeURIComponent(l.invite)}` : '';
    try {
      const r = await this.#api.get(`/rooms/${encodeURIComponent(l.id)}${qs}`);
      l.room = r.room;
      this.el.inviteTitle.textContent = `Join “${r.room.title}”`;
      this.el.inviteDetail.textContent = r.room.description || (r.room.private ? 'A private room.' : 'A public room.');
      this.el.invitePassword.hidden = !r.room.password;
      this.el.invitePassword.value = '';
    } catch (err) {
      card.hidden = true;
      this.#status(`The linked room “${l.id}”: ${describeApiError(err)}`, 'error');
    }
  }

  async #create() {
    const f = this.el.create;
    const title = f.elements.title.value.trim();
    if (!title) {
      this.#status('Give the room a title.', 'error');
      return;
    }
    const body = { title, private: f.elements.private.checked };
    const category = f.elements.category.value.trim();
    if (category) body.category = category;
    const capacity = Number(f.elements.capacity.value);
    if (Number.isInteger(capacity) && capacity > 0) body.capacity = capacity;
    if (f.elements.password.value) body.password = f.elements.password.value;
    this.el.createButton.disabled = true;
    try {
      const { room } = await this.#api.post('/rooms', body);
      f.reset();
      this.#status(`Room “${room.title}” created.`, 'ok');
      await this.refresh();
      // The creator goes straight in; the owner needs neither password nor invite.
      this.#onJoin({ id: room.id, title: room.title, password: '', invite: room.invite_code ?? '' });
    } catch (err) {
      this.#status(`Could not create the room: ${describeApiError(err)}`, 'error');
    } finally {
      this.el.createButton.disabled = false;
    }
  }

  #render(rooms) {
    this.el.empty.hidden = rooms.length > 0;
    this.el.list.replaceChildren(...rooms.map((r) => this.#item(r)));
  }

  #item(room) {
    const li = document.createElement('li');
    li.className = 'room-card';
    li.dataset.room = room.id;
    const head = document.createElement('div');
    head.className = 'room-head';
    const title = document.createElement('h3');
    title.textContent = room.title;
    head.append(title);
    if (room.private) head.append(badge('private'));
    if (room.password) head.append(badge('password'));
    if (room.recording) head.append(badge('● recording', 'recording'));
    if (room.category) head.append(badge(room.category, 'category'));
    li.append(head);
    if (room.description) {
      const p = document.createElement('p');
      p.className = 'room-desc';
      p.textContent = room.description;
      li.append(p);
    }
    if (room.tags?.length) {
      const tags = document.createElement('p');
      tags.className = 'room-tags';
      tags.textContent = room.tags.map((t) => `#${t}`).join(' ');
      li.append(tags);
    }
    const people = room.participants ?? [];
    const who = document.createElement('p');
    who.className = 'room-people';
    who.textContent = people.length
      ? `Studying now (${people.length}/${room.capacity}): ${people.map((p) => p.name).join(', ')}`
      : `Nobody here yet (capacity ${room.capacity})`;
    li.append(who);

    const actions = document.createElement('form');
    actions.className = 'row-form';
    const mine = room.invite_code !== undefined || (room.owner && room.owner.id === this.userId());
    let password = null;
    if (room.password && !mine) {
      password = document.createElement('input');
      password.type = 'password';
      password.placeholder = 'Room password';
      password.maxLength = 128;
      password.setAttribute('aria-label', `Password for ${room.title}`);
      actions.append(password);
    }
    const join = document.createElement('button');
    join.type = 'submit';
    join.className = 'primary';
    join.textContent = 'Join';
    join.setAttribute('aria-label', `Join ${room.title}`);
    actions.append(join);
    if (room.invite_code) {
      const link = document.createElement('a');
      link.className = 'invite-link';
      link.href = inviteLink(room);
      link.textContent = 'Invite link';
      actions.append(link);
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.textContent = 'Copy invite link';
      copy.onclick = async () => {
        const link = inviteLink(room);
        try {
          await navigator.clipboard.writeText(link);
          this.#status('Invite link copied.', 'ok');
        } catch {
          this.#status(`Invite link: ${link}`);
        }
      };
      actions.append(copy);
    }
    actions.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#onJoin({ id: room.id, title: room.title, password: password?.value ?? '', invite: room.invite_code ?? '' });
    });
    li.append(actions);
    return li;
  }
}

function badge(text, kind = '') {
  const b = document.createElement('span');
  b.className = `badge ${kind}`.trim();
  b.textContent = text;
  return b;
}
