// "Studying now": the public rooms with people in them and since when (GET /api/v1/lobby),
// refreshed while the room directory is open. A server without the route shows nothing.

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 15000;

function since(ms) {
  if (!Number.isFinite(ms)) return '';
  // The server gives ms or s since the epoch; either way the minutes are what matter here.
  const t = ms < 1e12 ? ms * 1000 : ms;
  const minutes = Math.max(0, Math.round((Date.now() - t) / 60000));
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export class LobbyView {
  #api;
  #onJoin;
  #timer = 0;

  constructor({ api, onJoin }) {
    this.#api = api;
    this.#onJoin = onJoin;
    this.section = $('lobby-now');
    this.list = $('lobby-list');
    this.count = $('lobby-count');
  }

  start() {
    this.stop();
    this.refresh();
    this.#timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  stop() {
    clearInterval(this.#timer);
    this.#timer = 0;
  }

  async refresh() {
    let r;
    try {
      r = await this.#api.get('/lobby');
    } catch {
      this.section.hidden = true; // an older server, or a moment's trouble: nothing to show
      return;
    }
    const rooms = Array.isArray(r?.rooms) ? r.rooms : [];
    this.section.hidden = false;
    this.count.textContent = String(r.studying ?? rooms.reduce((n, x) => n + (x.participants?.length ?? 0), 0));
    if (!rooms.length) {
      const li = document.createElement('li');
      li.className = 'hint';
      li.textContent = 'Nobody is studying in a public room right now.';
      this.list.replaceChildren(li);
      return;
    }
    this.list.replaceChildren(...rooms.map((room) => this.#item(room)));
  }

  #item(room) {
    const li = document.createElement('li');
    li.className = 'lobby-room';
    li.dataset.room = room.id;
    const join = document.createElement('button');
    join.type = 'button';
    join.className = 'link-button';
    join.textContent = room.title ?? room.id;
    join.setAttribute('aria-label', `Join ${room.title ?? room.id}`);
    join.onclick = () => this.#onJoin({ id: room.id, title: room.title ?? room.id, password: '', invite: '' });
    const people = document.createElement('ul');
    people.className = 'lobby-people';
    for (const p of room.participants ?? []) {
      const who = document.createElement('li');
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = p.name ?? '?';
      const t = document.createElement('span');
      t.className = 'since';
      t.textContent = since(p.since);
      who.append(name, t);
      people.append(who);
    }
    li.append(join, people);
    return li;
  }
}
