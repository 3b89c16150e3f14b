// Moderation in the room view (docs/protocol.md, "Moderation"): our role and everyone's, a
// menu on each participant's tile for whoever outranks them (mute mic/camera/screen, stop a
// share, presence check, kick and ban with a reason, make moderator), the moderators' panel
// (lock, waiting room and its admissions, mute all, the room's bans and lifting them), the marks of a moderator's mute, and
// the presence check we may be asked to answer. The server checks every action; the menu only
// hides what would be refused anyway.

const RANK = { admin: 4, owner: 3, moderator: 2, member: 1, outsider: 0 };
const KIND_WORD = { audio: 'microphone', video: 'camera', screen: 'screen share' };
const $ = (id) => document.getElementById(id);

function button(text, label, onClick, className = '') {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  if (label) b.setAttribute('aria-label', label);
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

function tileOf(id) {
  return document.querySelector(`#grid .tile[data-participant="${CSS.escape(id)}"]`);
}

export class ModerationView {
  #send;
  #status;
  #note;
  #nameOf;
  #onForceMute;
  #onStopScreen;
  #myRole = 'member';
  #roles = new Map(); // participant -> role
  #forced = new Map(); // participant ('self' for us) -> Set of kinds muted by a moderator
  #knocks = new Map(); // participant -> name
  #locked = false;
  #waitingRoom = false;
  #bansShown = false; // the bans list was asked for: keep it current

  // send(message), status(text, kind), note(text), nameOf(id), onForceMute(kind, muted),
  // onStopScreen(): what the room client lends.
  constructor({ send, status, note, nameOf, onForceMute, onStopScreen }) {
    this.#send = send;
    this.#status = status;
    this.#note = note;
    this.#nameOf = nameOf;
    this.#onForceMute = onForceMute;
    this.#onStopScreen = onStopScreen;
    $('mod-lock')?.addEventListener('click', () => this.#send({ type: 'lock_room', locked: !this.#locked }));
    $('mod-waiting')?.addEventListener('click', () =>
      this.#send({ type: 'waiting_room', enabled: !this.#waitingRoom }),
    );
    $('mod-mute-all')?.addEventListener('click', () => this.#send({ type: 'mute_all', kind: 'audio' }));
    $('mod-bans-show')?.addEventListener('click', () => {
      this.#bansShown = true;
      this.#send({ type: 'bans' });
    });
    $('mod-afk-form')?.addEventListener('submit', (e) => {
      e.preventDefault();
      const minutes = Number($('mod-afk-minutes').value);
      if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) {
        this.#status('Give whole minutes from 0 to 1440.', 'error');
        return;
      }
      this.#send({ type: 'afk_policy', camera_off_seconds: minutes * 60 });
    });
    $('afk-confirm')?.addEventListener('click', () => {
      this.#send({ type: 'afk_confirm' });
      $('afk-banner').hidden = true;
    });
  }

  get role() {
    return this.#myRole;
  }

  // Kinds a moderator muted for us: unmuting them ourselves would be refused.
  isForceMuted(kind) {
    return this.#forced.get('self')?.has(kind) ?? false;
  }

  // Server messages this view handles: {type: fn}.
  handlers() {
    return {
      role: (m) => this.#setMyRole(m.role),
      // The room's switches as they are when we come in (changes come as moderated).
      room_moderation: (m) => {
        this.#locked = !!m.locked;
        this.#waitingRoom = !!m.waiting_room;
        if ($('mod-afk-minutes')) $('mod-afk-minutes').value = String(Math.round((Number(m.camera_off_seconds) || 0) / 60));
        this.#renderSwitches();
      },
      roles: (m) => {
        for (const [p, r] of Object.entries(m.roles ?? {})) this.#roles.set(p, String(r));
        this.#decorateAll();
      },
      role_changed: (m) => {
        this.#roles.set(m.participant, String(m.role));
        const who = this.#nameOf(m.participant);
        if (who) this.#note(`${who} is now ${m.role}`);
        this.#decorateAll();
      },
      moderated: (m) => this.#onModerated(m),
      knock: (m) => {
        this.#knocks.set(m.participant, String(m.name ?? '?'));
        this.#note(`${m.name} is waiting to be let in`);
        this.#renderKnocks();
      },
      force_muted: (m) => this.#onForceMuted(m),
      bans: (m) => this.#renderBans(m.bans ?? []),
      stop_screen: (m) => {
        this.#onStopScreen();
        this.#mark('self', 'screen', true);
        this.#status('A moderator stopped your screen share.', 'error');
      },
      afk_check: (m) => {
        const s = Math.round((Number(m.timeout_ms) || 60000) / 1000);
        $('afk-text').textContent = `A moderator asks whether you are still here. Answer within ${s} s or you will be removed.`;
        $('afk-banner').hidden = false;
      },
      ack: (m) => this.#onAck(m),
    };
  }

  // A participant's tile appeared (or roles changed): give it the menu we may use on it.
  decorate(id) {
    const tile = tileOf(id);
    if (!tile) return;
    tile.querySelector('.mod-menu')?.remove();
    const theirs = RANK[this.#roles.get(id) ?? 'member'] ?? 1;
    const mine = RANK[this.#myRole] ?? 1;
    if (mine < RANK.moderator || theirs >= mine) return;
    tile.append(this.#menu(id));
  }

  // Left the room (or the connection is gone for good).
  reset() {
    this.#myRole = 'member';
    this.#roles.clear();
    this.#forced.clear();
    this.#knocks.clear();
    this.#locked = false;
    this.#waitingRoom = false;
    this.#bansShown = false;
    $('mod-bans')?.replaceChildren();
    if ($('mod-bans-empty')) $('mod-bans-empty').hidden = true;
    $('mod-panel').hidden = true;
    $('chat-log').classList.remove('may-moderate');
    $('afk-banner').hidden = true;
    this.#renderKnocks();
    this.#renderSwitches();
  }

  #setMyRole(role) {
    const before = this.#myRole;
    this.#myRole = String(role);
    $('mod-panel').hidden = (RANK[this.#myRole] ?? 1) < RANK.moderator;
    // Moderators may delete anyone's chat message (the buttons are there, shown by this).
    $('chat-log').classList.toggle('may-moderate', (RANK[this.#myRole] ?? 1) >= RANK.moderator);
    if (before !== this.#myRole && this.#myRole !== 'member') this.#note(`You are ${this.#myRole} of this room`);
    this.#renderSwitches();
    this.#decorateAll();
  }

  #decorateAll() {
    for (const tile of document.querySelectorAll('#grid .tile.remote')) this.decorate(tile.dataset.participant);
  }

  #menu(id) {
    const name = this.#nameOf(id) ?? id;
    const menu = document.createElement('details');
    menu.className = 'mod-menu';
    const summary = document.createElement('summary');
    summary.textContent = '⋮';
    summary.setAttribute('aria-label', `Moderate ${name}`);
    summary.title = `Moderate ${name}`;
    const list = document.createElement('div');
    list.className = 'mod-actions';
    const forced = this.#forced.get(id) ?? new Set();
    const close = () => menu.removeAttribute('open');
    const act = (msg) => {
      this.#send({ ...msg, participant: id });
      close();
    };
    for (const kind of ['audio', 'video', 'screen']) {
      const on = forced.has(kind);
      const word = KIND_WORD[kind];
      list.append(
        button(on ? `Allow ${word}` : `Mute ${word}`, on ? `Allow ${name}'s ${word}` : `Mute ${name}'s ${word}`, () =>
          act({ type: 'mute_participant', kind, muted: !on }),
        ),
      );
    }
    list.append(
      button('Stop screen share', `Stop ${name}'s screen share`, () => act({ type: 'stop_screen' })),
      button('Check presence', `Check that ${name} is here`, () => act({ type: 'afk_check' })),
    );
    if ((RANK[this.#myRole] ?? 1) >= RANK.owner) {
      const mod = this.#roles.get(id) === 'moderator';
      list.append(
        button(mod ? 'Remove moderator' : 'Make moderator', mod ? `Remove ${name} as moderator` : `Make ${name} a moderator`, () =>
          act({ type: 'set_moderator', moderator: !mod }),
        ),
      );
    }
    // Kick and ban take a reason (and a ban a duration) from a small form in the menu.
    const form = document.createElement('form');
    form.className = 'mod-remove';
    const reason = document.createElement('input');
    reason.maxLength = 500;
    reason.placeholder = 'Reason';
    reason.setAttribute('aria-label', `Reason for removing ${name}`);
    const minutes = document.createElement('input');
    minutes.type = 'number';
    minutes.min = '0';
    minutes.max = '525600';
    minutes.placeholder = 'Ban minutes (empty: for good)';
    minutes.setAttribute('aria-label', `Ban ${name} for minutes`);
    form.addEventListener('submit', (e) => e.preventDefault());
    form.append(
      reason,
      button('Kick', `Kick ${name}`, () => act({ type: 'kick', reason: reason.value.trim() }), 'danger'),
      minutes,
      button('Ban', `Ban ${name}`, () => {
        const n = Number(minutes.value);
        act({ type: 'ban', reason: reason.value.trim(), ...(Number.isInteger(n) && n > 0 ? { minutes: n } : {}) });
      }, 'danger'),
    );
    list.append(form);
    menu.append(summary, list);
    return menu;
  }

  #onModerated(m) {
    const by = m.by?.name ?? 'A moderator';
    const who = m.participant ? (this.#nameOf(m.participant) ?? 'someone') : '';
    const reason = m.reason ? ` (${m.reason})` : '';
    switch (m.action) {
      case 'mute':
      case 'allow_unmute':
        this.#mark(m.participant, m.kind, !!m.muted);
        this.#note(`${by} ${m.muted ? 'muted' : 'allowed'} ${who}'s ${KIND_WORD[m.kind] ?? m.kind}`);
        break;
      case 'mute_all':
        this.#note(`${by} muted everyone's ${KIND_WORD[m.kind] ?? m.kind}`);
        break;
      case 'stop_screen':
        this.#note(`${by} stopped ${who}'s screen share`);
        break;
      case 'kick':
        this.#note(`${by} removed ${who}${reason}`);
        break;
      case 'ban':
        this.#note(`${by} banned ${who}${reason}`);
        this.#refreshBans();
        break;
      case 'unban':
        this.#note(`${by} lifted the ban of ${m.name || `user #${m.user}`}`);
        this.#refreshBans();
        break;
      case 'lock_room':
        this.#locked = !!m.locked;
        this.#note(`${by} ${m.locked ? 'locked' : 'unlocked'} the room`);
        this.#renderSwitches();
        break;
      case 'waiting_room':
        this.#waitingRoom = !!m.enabled;
        this.#note(`${by} turned the waiting room ${m.enabled ? 'on' : 'off'}`);
        this.#renderSwitches();
        break;
      case 'admit':
      case 'refuse':
        this.#knocks.delete(m.participant);
        this.#renderKnocks();
        break;
      case 'close_room':
        this.#note(`The room is being closed${reason}`);
        break;
      case 'afk_policy': {
        const min = Math.round((Number(m.camera_off_seconds) || 0) / 60);
        if ($('mod-afk-minutes')) $('mod-afk-minutes').value = String(min);
        this.#note(
          m.camera_off_seconds > 0
            ? `${by}: a camera off for ${min} min now brings a presence check`
            : `${by} turned the camera-off presence check off`,
        );
        break;
      }
      case 'afk_removed':
        this.#note(`${who} was removed after not answering a presence check`);
        break;
      default:
        break;
    }
  }

  #onForceMuted(m) {
    const kind = String(m.kind);
    this.#mark('self', kind, !!m.muted);
    this.#onForceMute(kind, !!m.muted);
    const word = KIND_WORD[kind] ?? kind;
    this.#status(
      m.muted ? `A moderator muted your ${word}; you cannot turn it back on until they allow it.` : `A moderator allowed your ${word} again.`,
      m.muted ? 'error' : 'ok',
    );
  }

  // The "muted by a moderator" mark on a tile (ours is 'self').
  #mark(id, kind, muted) {
    if (!id || !kind) return;
    const set = this.#forced.get(id) ?? new Set();
    if (muted) set.add(kind);
    else set.delete(kind);
    this.#forced.set(id, set);
    const tile = tileOf(id);
    if (tile) {
      tile.querySelector('.mod-mark')?.remove();
      tile.classList.toggle('force-muted', set.size > 0);
      if (set.size) {
        const mark = document.createElement('span');
        mark.className = 'mod-mark';
        mark.setAttribute('role', 'img');
        const words = [...set].map((k) => KIND_WORD[k] ?? k).join(', ');
        mark.setAttribute('aria-label', `muted by a moderator: ${words}`);
        mark.title = `Muted by a moderator: ${words}`;
        mark.textContent = `🛡 ${words} muted`;
        tile.append(mark);
      }
    }
    if (id !== 'self') this.decorate(id);
  }

  #onAck(m) {
    const words = {
      kick: 'Removed.',
      ban: 'Banned.',
      unban: 'Ban lifted.',
      mute_participant: 'Done.',
      mute_all: 'Everyone you outrank is muted.',
      stop_screen: 'Screen share stopped.',
      lock_room: 'Done.',
      waiting_room: 'Done.',
      admit: 'Done.',
      afk_check: 'Presence check sent.',
      afk_policy: 'Presence policy set.',
      set_moderator: 'Roles updated.',
      transfer_ownership: 'Ownership handed over.',
    };
    if (words[m.action]) this.#status(words[m.action], 'ok');
  }

  #renderSwitches() {
    const lock = $('mod-lock');
    if (lock) {
      lock.textContent = this.#locked ? 'Unlock room' : 'Lock room';
      lock.setAttribute('aria-pressed', String(this.#locked));
    }
    const waiting = $('mod-waiting');
    if (waiting) {
      waiting.textContent = this.#waitingRoom ? 'Turn waiting room off' : 'Turn waiting room on';
      waiting.setAttribute('aria-pressed', String(this.#waitingRoom));
    }
  }

  #refreshBans() {
    if (this.#bansShown && (RANK[this.#myRole] ?? 1) >= RANK.moderator) this.#send({ type: 'bans' });
  }

  #renderBans(bans) {
    const list = $('mod-bans');
    if (!list) return;
    const items = bans.map((b) => {
      const li = document.createElement('li');
      li.dataset.user = String(b.user);
      const n = document.createElement('span');
      n.className = 'name';
      const name = b.name || `user #${b.user}`;
      const until = b.until ? ` until ${new Date(b.until).toLocaleString()}` : ' for good';
      n.textContent = `${name}${until}${b.reason ? ` (${b.reason})` : ''}`;
      li.append(n, button('Unban', `Unban ${name}`, () => this.#send({ type: 'unban', user: b.user })));
      return li;
    });
    list.replaceChildren(...items);
    $('mod-bans-empty').hidden = items.length > 0;
  }

  #renderKnocks() {
    const list = $('mod-knocks');
    if (!list) return;
    const items = [...this.#knocks].map(([id, name]) => {
      const li = document.createElement('li');
      li.dataset.participant = id;
      const n = document.createElement('span');
      n.className = 'name';
      n.textContent = name;
      const answer = (admit) => {
        this.#send({ type: 'admit', participant: id, admit });
        this.#knocks.delete(id);
        this.#renderKnocks();
      };
      li.append(n, button('Admit', `Admit ${name}`, () => answer(true)), button('Refuse', `Refuse ${name}`, () => answer(false)));
      return li;
    });
    list.replaceChildren(...items);
    $('mod-knocks-empty').hidden = items.length > 0;
  }
}
