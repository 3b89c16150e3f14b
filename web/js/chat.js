// The room's chat (docs/protocol.md, Chat): live messages and history merged by id (a live
// message may come before the history that holds it, or twice), older pages loaded when
// the log is scrolled to its top, edit and delete of one's own messages (and of anyone's for
// moderators: their buttons show when the log has the class may-moderate), and shared files
// shown as links. Text is always shown as text, never as markup.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const PAGE = 50;

function formatSize(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export class ChatPanel {
  #log;
  #older;
  #byId = new Map(); // message id -> {li, msg}
  #hasMore = false;
  #loading = false;
  #stored = false; // the server keeps history (ids on messages)

  // log: the <ol>; older: the "load older" button. send(message) -> false when not
  // connected; isMine(from) tells our own messages; download(attachment) opens a file;
  // status(text, kind) reports problems.
  constructor({ log, older, send, isMine, download, status }) {
    this.#log = log;
    this.#older = older;
    this.send = send;
    this.isMine = isMine;
    this.download = download;
    this.status = status;
    older.addEventListener('click', () => this.loadOlder());
    log.addEventListener('scroll', () => {
      if (log.scrollTop < 24 && this.#hasMore) this.loadOlder();
    });
  }

  reset() {
    this.#byId.clear();
    this.#log.replaceChildren();
    this.#hasMore = false;
    this.#loading = false;
    this.#stored = false;
    this.#older.hidden = true;
  }

  // A new session's history replaces what we had (a reconnect may have missed edits).
  onChat(msg) {
    this.#put(msg, 'live');
  }

  onHistory(m) {
    const messages = Array.isArray(m.messages) ? m.messages : [];
    this.#stored = true;
    const page = !!m.ref; // an answer to our chat_history; the one after joined has no ref
    const log = this.#log;
    const fromBottom = log.scrollHeight - log.scrollTop;
    for (const msg of messages) this.#put(msg, page ? 'older' : 'history');
    this.#hasMore = !!m.has_more;
    this.#older.hidden = !this.#hasMore;
    this.#loading = false;
    // Keep what the reader was looking at in place while older messages go in above it.
    if (page) log.scrollTop = log.scrollHeight - fromBottom;
    else log.scrollTop = log.scrollHeight;
  }

  onEdited(m) {
    const entry = this.#byId.get(m.id);
    if (!entry) return;
    entry.msg = { ...entry.msg, text: m.text, edited_ts: m.edited_ts ?? Date.now() };
    this.#render(entry);
  }

  onDeleted(m) {
    const entry = this.#byId.get(m.id);
    if (!entry) return;
    entry.msg = { id: entry.msg.id, from: entry.msg.from, ts: entry.msg.ts, deleted: true, moderated: !!m.moderated };
    this.#render(entry);
  }

  loadOlder() {
    if (this.#loading || !this.#hasMore) return;
    const oldest = Math.min(...[...this.#byId.keys()].filter(Number.isFinite));
    if (!Number.isFinite(oldest)) return;
    this.#loading = true;
    if (this.send({ type: 'chat_history', before: oldest, limit: PAGE }) === false) this.#loading = false;
  }

  // The request failed (an error about chat_history): allow another try.
  historyFailed() {
    this.#loading = false;
  }

  addNote(text) {
    const li = document.createElement('li');
    li.className = 'note';
    li.textContent = text;
    this.#append(li);
  }

  // where: 'live' (append), 'history' or 'older' (in id order).
  #put(msg, where) {
    if (!msg || typeof msg !== 'object') return;
    const id = Number.isFinite(msg.id) ? msg.id : null;
    if (id !== null && this.#byId.has(id)) {
      const entry = this.#byId.get(id);
      entry.msg = msg;
      this.#render(entry);
      return;
    }
    const entry = { li: document.createElement('li'), msg };
    entry.li.className = 'message';
    if (id !== null) {
      entry.li.dataset.id = String(id);
      this.#byId.set(id, entry);
    }
    this.#render(entry);
    if (id === null || where === 'live') {
      this.#append(entry.li);
      return;
    }
    // In id order among the messages already shown (notes stay where they are).
    const later = [...this.#log.querySelectorAll('li[data-id]')].find((li) => Number(li.dataset.id) > id);
    if (later) this.#log.insertBefore(entry.li, later);
    else this.#append(entry.li);
  }

  #render(entry) {
    const { li, msg } = entry;
    const mine = this.isMine(msg.from ?? {});
    li.classList.toggle('mine', mine);
    li.classList.toggle('deleted', !!msg.deleted);
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = msg.from?.name ?? '?';
    const when = document.createElement('time');
    const date = new Date(Number.isFinite(msg.ts) ? msg.ts : Date.now());
    when.dateTime = date.toISOString();
    when.textContent = timeFormat.format(date);
    const parts = [who, when];
    if (msg.edited_ts && !msg.deleted) {
      const edited = document.createElement('span');
      edited.className = 'edited';
      edited.textContent = '(edited)';
      parts.push(edited);
    }
    const body = document.createElement('span');
    body.className = 'text';
    body.textContent = msg.deleted
      ? msg.moderated
        ? 'message deleted by a moderator'
        : 'message deleted'
      : String(msg.text ?? '');
    parts.push(body);
    const a = msg.attachment;
    if (a && !msg.deleted) parts.push(this.#attachment(a));
    if (mine && !msg.deleted && Number.isFinite(msg.id)) parts.push(this.#actions(entry));
    if (!mine && !msg.deleted && Number.isFinite(msg.id)) parts.push(this.#moderatorDelete(entry));
    li.replaceChildren(...parts);
  }

  #attachment(a) {
    const link = document.createElement('a');
    link.className = 'attachment';
    link.href = a.url ?? '#';
    link.textContent = `📎 ${a.name ?? 'file'}${a.size ? ` (${formatSize(a.size)})` : ''}`;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      this.download(a);
    });
    return link;
  }

  #actions(entry) {
    const box = document.createElement('span');
    box.className = 'actions';
    const edit = document.createElement('button');
    edit.type = 'button';
    edit.textContent = 'Edit';
    edit.setAttribute('aria-label', 'Edit message');
    edit.onclick = () => this.#edit(entry);
    const del = document.createElement('button');
    del.type = 'button';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', 'Delete message');
    del.onclick = () => {
      if (this.send({ type: 'chat_delete', message: entry.msg.id }) === false) {
        this.status('Not connected: the message was not deleted.', 'error');
      }
    };
    box.append(edit, del);
    return box;
  }

  // Hidden unless the log says we moderate this room; the server checks the role anyway.
  #moderatorDelete(entry) {
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'mod-delete';
    del.textContent = 'Delete';
    del.setAttribute('aria-label', `Delete ${entry.msg.from?.name ?? 'their'}'s message as moderator`);
    del.onclick = () => {
      if (this.send({ type: 'chat_delete', message: entry.msg.id }) === false) {
        this.status('Not connected: the message was not deleted.', 'error');
      }
    };
    return del;
  }

  #edit(entry) {
    const form = document.createElement('form');
    form.className = 'edit-form';
    const input = document.createElement('input');
    input.value = entry.msg.text ?? '';
    input.maxLength = 2000;
    input.setAttribute('aria-label', 'Edited message');
    const save = document.createElement('button');
    save.type = 'submit';
    save.textContent = 'Save';
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.textContent = 'Cancel';
    cancel.onclick = () => this.#render(entry);
    form.append(input, save, cancel);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      if (this.send({ type: 'chat_edit', message: entry.msg.id, text }) === false) {
        this.status('Not connected: the message was not changed.', 'error');
        return;
      }
      this.#render(entry); // the server's chat_edited brings the new text
    });
    entry.li.querySelector('.text')?.replaceWith(form);
    input.focus();
  }

  #append(li) {
    const log = this.#log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(li);
    if (atBottom) log.scrollTop = log.scrollHeight;
  }
}
