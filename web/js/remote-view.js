// Puts the tracks the subscribe connection receives where they belong: cameras and
// microphones on each participant's tile, screen shares on the screen stage.

import { sourceOf } from './roster.js';

export class RemoteView {
  #ui;
  #roster;
  #tracks = []; // [{participant, track, kind, source, mediaTrack}] received now
  #screens = new Map(); // participant -> {track, stream} on the stage

  constructor(ui, roster) {
    this.#ui = ui;
    this.#roster = roster;
  }

  set(list) {
    this.#tracks = list;
    this.render();
  }

  // A track the server says ended: drop it before the subscribe offer catches up.
  drop(participant, track) {
    this.#tracks = this.#tracks.filter((t) => !(t.participant === participant && t.track === track));
    this.render();
  }

  clear() {
    this.#tracks = [];
    this.render();
  }

  render() {
    const byPerson = new Map();
    const screens = new Map();
    for (const t of this.#tracks) {
      if (!this.#roster.has(t.participant)) continue; // its participant_joined is on the way
      if (sourceOf(t) === 'screen') {
        screens.set(t.participant, t.mediaTrack);
        continue;
      }
      const list = byPerson.get(t.participant) ?? [];
      // One picture per tile: the first video track wins; every audio track plays.
      if (t.mediaTrack.kind !== 'video' || !list.some((x) => x.kind === 'video')) list.push(t.mediaTrack);
      byPerson.set(t.participant, list);
    }
    this.#ui.grid.setRemoteTracks(byPerson);
    this.#showScreens(screens);
  }

  // One MediaStream per screen track, kept, so the stage's <video> is not reset by
  // unrelated changes.
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
      this.#ui.screen.set(id, this.#roster.name(id) ?? '?', stream);
    }
  }
}
