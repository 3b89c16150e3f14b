// Who else is in the room, with the tracks each publishes (by track id: audio0, video0,
// screen0…) and what they said they muted.

// A track's source (protocol.md): `source` when the server gives it, else from its kind.
export function sourceOf(t) {
  if (t.source === 'camera' || t.source === 'microphone' || t.source === 'screen') return t.source;
  if (t.kind === 'audio') return 'microphone';
  return /^screen/.test(String(t.track ?? '')) ? 'screen' : 'camera';
}

const KIND_OF_SOURCE = { camera: 'video', microphone: 'audio', screen: 'screen' };

export class Roster {
  #people = new Map(); // id -> {name, tracks: Map track id -> source, muted: Set of kinds}

  clear() {
    this.#people.clear();
  }

  has(id) {
    return this.#people.has(id);
  }

  name(id) {
    return this.#people.get(id)?.name;
  }

  // tracks: [{track, kind, source}]; an existing entry keeps what it knew.
  add(id, name, tracks = []) {
    const p = this.#people.get(id) ?? { name: '', tracks: new Map(), muted: new Set() };
    p.name = String(name ?? '?');
    for (const t of tracks) if (t?.track) p.tracks.set(String(t.track), sourceOf(t));
    this.#people.set(id, p);
    return p;
  }

  remove(id) {
    const p = this.#people.get(id);
    this.#people.delete(id);
    return p;
  }

  publish(id, t) {
    this.#people.get(id)?.tracks.set(String(t.track), sourceOf(t));
  }

  unpublish(id, t) {
    this.#people.get(id)?.tracks.delete(String(t.track));
  }

  setMuted(id, kind, muted) {
    const p = this.#people.get(id);
    if (!p) return false;
    if (muted) p.muted.add(kind);
    else p.muted.delete(kind);
    return true;
  }

  // For the participant list: [{id, name, tracks: Set of video|audio|screen, muted}]
  list() {
    return [...this.#people].map(([id, p]) => ({
      id,
      name: p.name,
      tracks: new Set([...p.tracks.values()].map((s) => KIND_OF_SOURCE[s])),
      muted: p.muted,
    }));
  }

  // [{participant, track}] of the given source, for these participants (all when ids is null).
  tracksOf(source, ids = null) {
    const out = [];
    for (const id of ids ?? this.#people.keys()) {
      const p = this.#people.get(id);
      if (!p) continue;
      for (const [track, s] of p.tracks) if (s === source) out.push({ participant: id, track });
    }
    return out;
  }
}
