// The shared screen, shown large above the cameras (which shrink to a strip meanwhile).
// Several people may share at once: the most recent share is large, the others are listed
// as buttons that bring theirs forward.

export class ScreenStage {
  #shares = new Map(); // id -> {name, stream, self}
  #order = []; // ids, most recent last
  #chosen = null; // id the user picked, if still sharing

  constructor(container, grid) {
    this.container = container;
    this.grid = grid;
    this.video = document.createElement('video');
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.video.muted = true; // a screen track carries no sound here
    this.video.className = 'screen-video';
    this.caption = document.createElement('p');
    this.caption.className = 'screen-caption';
    this.others = document.createElement('div');
    this.others.className = 'screen-others';
    container.append(this.video, this.caption, this.others);
  }

  // stream: a MediaStream with the screen's video track, or null when that share ended.
  set(id, name, stream, self = false) {
    if (!stream) {
      if (!this.#shares.delete(id)) return;
      this.#order = this.#order.filter((x) => x !== id);
    } else {
      const had = this.#shares.get(id);
      if (had?.stream === stream && had.name === name) return;
      this.#shares.set(id, { name, stream, self });
      if (!had) this.#order.push(id);
    }
    this.#render();
  }

  clear() {
    this.#shares.clear();
    this.#order = [];
    this.#chosen = null;
    this.#render();
  }

  // The participant whose screen is shown large, or null.
  get shown() {
    if (this.#chosen && this.#shares.has(this.#chosen)) return this.#chosen;
    return this.#order.at(-1) ?? null;
  }

  #render() {
    const id = this.shown;
    const share = id ? this.#shares.get(id) : null;
    this.container.hidden = !share;
    this.grid.classList.toggle('strip', !!share);
    this.container.dataset.participant = id ?? '';
    if (!share) {
      this.video.srcObject = null;
      this.others.replaceChildren();
      return;
    }
    if (this.video.srcObject !== share.stream) {
      this.video.srcObject = share.stream;
      this.video.play().catch(() => {});
    }
    this.video.setAttribute('aria-label', share.self ? 'Your shared screen' : `${share.name}'s shared screen`);
    this.caption.textContent = share.self ? 'You are sharing your screen' : `${share.name} is sharing a screen`;
    const buttons = this.#order
      .filter((x) => x !== id)
      .map((x) => {
        const b = document.createElement('button');
        b.type = 'button';
        const other = this.#shares.get(x);
        b.textContent = other.self ? 'Show my screen' : `Show ${other.name}'s screen`;
        b.onclick = () => {
          this.#chosen = x;
          this.#render();
        };
        return b;
      });
    this.others.replaceChildren(...buttons);
  }
}
