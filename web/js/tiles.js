// The video grid: one tile per participant (ours first, muted and mirrored), each labelled
// with the participant's name and showing an initial while there is no video.

function initial(name) {
  return (name.trim()[0] ?? '?').toUpperCase();
}

class Tile {
  constructor(id, name, self) {
    this.id = id;
    this.el = document.createElement('figure');
    this.el.className = self ? 'tile self' : 'tile remote';
    this.el.setAttribute('role', 'listitem');
    this.el.dataset.participant = id;

    this.video = document.createElement('video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = self; // never play our own microphone back
    this.video.dataset.participant = id;

    this.placeholder = document.createElement('div');
    this.placeholder.className = 'placeholder';
    this.placeholder.setAttribute('aria-hidden', 'true');

    this.caption = document.createElement('figcaption');
    this.badges = document.createElement('span');
    this.badges.className = 'badges';
    this.el.append(this.video, this.placeholder, this.caption, this.badges);
    this.tracks = [];
    this.muted = new Set();
    this.setName(name, self);
  }

  setName(name, self = this.el.classList.contains('self')) {
    this.name = name;
    this.caption.textContent = self ? `${name} (you)` : name;
    this.placeholder.textContent = initial(name);
    this.video.setAttribute('aria-label', self ? 'Your camera' : `${name}'s video`);
  }

  // Shows a "mic muted" / "camera off" mark (the participant said so, protocol `track_muted`).
  setMuted(kind, muted) {
    if (muted) this.muted.add(kind);
    else this.muted.delete(kind);
    this.el.classList.toggle('mic-muted', this.muted.has('audio'));
    this.el.classList.toggle('camera-off', this.muted.has('video'));
    const marks = [];
    if (this.muted.has('audio')) marks.push(mark('mic-muted', '🎤̸', 'microphone muted'));
    if (this.muted.has('video')) marks.push(mark('camera-off', '📷̸', 'camera off'));
    this.badges.replaceChildren(...marks);
  }

  setTracks(tracks) {
    const same =
      tracks.length === this.tracks.length && tracks.every((t, i) => t === this.tracks[i]);
    this.el.classList.toggle('has-video', tracks.some((t) => t.kind === 'video'));
    if (same) return;
    this.tracks = tracks;
    this.video.srcObject = tracks.length ? new MediaStream(tracks) : null;
    if (tracks.length) this.#play();
  }

  // Browsers refuse to start sound without a user gesture: fall back to a silent picture
  // and offer a button that brings the sound back.
  #play() {
    this.video.play().catch((err) => {
      if (err.name !== 'NotAllowedError' || this.video.muted) return;
      this.video.muted = true;
      this.video.play().catch(() => {});
      this.#offerUnmute();
    });
  }

  #offerUnmute() {
    if (this.el.querySelector('.unmute')) return;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'unmute';
    button.textContent = 'Turn sound on';
    button.setAttribute('aria-label', `Turn on ${this.name}'s sound`);
    button.onclick = () => {
      this.video.muted = false;
      this.video.play().catch(() => {});
      button.remove();
    };
    this.el.append(button);
  }

  remove() {
    this.video.srcObject = null;
    this.el.remove();
  }
}

function mark(kind, symbol, label) {
  const m = document.createElement('span');
  m.className = `mark ${kind}`;
  m.textContent = symbol;
  m.title = label;
  m.setAttribute('aria-label', label);
  m.setAttribute('role', 'img');
  return m;
}

const PAGE_KEY = 'carrel.tilesPerPage';
const DEFAULT_PAGE = 8; // others per page: with our own tile, a 3 × 3 grid

// Tiles per page: a user setting kept in localStorage (also how tests make pages small).
function pageSizeSetting() {
  try {
    const n = Number(window.localStorage.getItem(PAGE_KEY));
    return Number.isInteger(n) && n >= 1 && n <= 49 ? n : DEFAULT_PAGE;
  } catch {
    return DEFAULT_PAGE;
  }
}

// The cameras: our tile first, then the others in the order they came, a page at a time.
// Only the current page's tiles are shown, and onVisibleChange(ids) tells the client which
// others those are, so it subscribes to their video only. Off-page tiles stay (hidden) so
// their sound keeps playing.
export class VideoGrid {
  #tiles = new Map();
  #selfId = null;
  #page = 0;
  #visibleKey = '';
  onVisibleChange = (_ids) => {};

  // pager: {nav, prev, next, label} elements.
  constructor(container, pager) {
    this.container = container;
    this.pager = pager;
    this.pageSize = pageSizeSetting();
    pager?.prev.addEventListener('click', () => this.setPage(this.#page - 1));
    pager?.next.addEventListener('click', () => this.setPage(this.#page + 1));
  }

  setSelf(name, stream) {
    this.removeSelf();
    const tile = new Tile('self', name, true);
    this.#selfId = 'self';
    this.#tiles.set('self', tile);
    this.container.prepend(tile.el);
    tile.setTracks(stream.getVideoTracks());
  }

  setSelfName(name) {
    this.#tiles.get('self')?.setName(name, true);
  }

  removeSelf() {
    if (this.#selfId) this.remove(this.#selfId);
    this.#selfId = null;
  }

  upsert(id, name) {
    let tile = this.#tiles.get(id);
    if (!tile) {
      tile = new Tile(id, name, false);
      this.#tiles.set(id, tile);
      this.container.append(tile.el);
      this.#layout();
    } else if (tile.name !== name) {
      tile.setName(name);
    }
    return tile;
  }

  // byParticipant: Map id -> [MediaStreamTrack]; participants missing from it show no video.
  setRemoteTracks(byParticipant) {
    for (const [id, tile] of this.#tiles) {
      if (id === this.#selfId) continue;
      tile.setTracks(byParticipant.get(id) ?? []);
    }
  }

  setMuted(id, kind, muted) {
    this.#tiles.get(id)?.setMuted(kind, muted);
  }

  remove(id) {
    this.#tiles.get(id)?.remove();
    if (this.#tiles.delete(id)) this.#layout();
  }

  clearRemote() {
    for (const id of [...this.#tiles.keys()]) if (id !== this.#selfId) this.remove(id);
    this.#page = 0;
    this.#layout();
  }

  get page() {
    return this.#page;
  }

  get pageCount() {
    return Math.max(1, Math.ceil(this.#remoteIds().length / this.pageSize));
  }

  setPage(n) {
    this.#page = Math.min(Math.max(0, n), this.pageCount - 1);
    this.#layout();
  }

  // The others whose tiles are on the current page.
  visible() {
    const start = this.#page * this.pageSize;
    return this.#remoteIds().slice(start, start + this.pageSize);
  }

  #remoteIds() {
    return [...this.#tiles.keys()].filter((id) => id !== this.#selfId);
  }

  #layout() {
    if (this.#page > this.pageCount - 1) this.#page = this.pageCount - 1;
    const shown = new Set(this.visible());
    for (const [id, tile] of this.#tiles) tile.el.hidden = id !== this.#selfId && !shown.has(id);
    if (this.pager) {
      this.pager.nav.hidden = this.pageCount < 2;
      this.pager.label.textContent = `Page ${this.#page + 1} of ${this.pageCount}`;
      this.pager.prev.disabled = this.#page === 0;
      this.pager.next.disabled = this.#page >= this.pageCount - 1;
    }
    const key = [...shown].join(',');
    if (key !== this.#visibleKey) {
      this.#visibleKey = key;
      this.onVisibleChange([...shown]);
    }
  }
}
