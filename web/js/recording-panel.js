// Recording in the room view (docs/protocol.md, "Recording" and "Recordings"): the indicator
// everyone sees while the room records, start/stop (the server decides who may: owner,
// moderator, admin — anyone else gets its typed error on the status line), and the room's
// recordings with their render progress, live from `recording_render`, each opening the
// review page once rendered.

import { describeApiError } from './api.js';
import { registerPanel } from './panels.js';

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

const STATE_TEXT = {
  recording: 'recording…',
  queued: 'waiting to render',
  rendering: 'rendering',
  ready: 'ready',
  failed: 'render failed',
};

let ctx = null;
let indicator = null;
let button = null;
let list = null;
let active = false;
const items = new Map(); // recording id -> its <li>

function clock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function progressText(state, percent, etaS) {
  let text = STATE_TEXT[state] ?? state;
  if (state === 'rendering') {
    text += ` ${Math.floor(Number(percent) || 0)}%`;
    if (Number.isFinite(etaS) && etaS >= 0) text += `, about ${Math.ceil(etaS)} s left`;
  }
  return text;
}

function setProgress(li, state, percent, etaS, error) {
  li.dataset.state = state;
  const p = li.querySelector('.rec-progress');
  const bar = li.querySelector('progress');
  p.textContent = progressText(state, percent, etaS) + (state === 'failed' && error ? `: ${error}` : '');
  bar.hidden = state !== 'rendering';
  bar.value = Number(percent) || 0;
}

function item(r) {
  const when = new Date(Number(r.started_at)).toLocaleTimeString();
  const title = el('span', { className: 'rec-title', textContent: `${when} · ${clock(r.duration_ms)}` });
  const li = el(
    'li',
    { className: 'recording' },
    title,
    el('span', { className: 'rec-progress' }),
    el('progress', { max: 100, value: 0 }),
  );
  li.dataset.id = r.id;
  if (r.state === 'ready') {
    // rel=opener: the review tab gets a copy of this tab's sessionStorage (the sign-in).
    title.replaceChildren(
      el('a', { href: `review.html?recording=${encodeURIComponent(r.id)}`, target: '_blank', rel: 'opener',
        textContent: title.textContent }),
    );
  }
  if (r.can_manage && r.state === 'failed') {
    const again = el('button', { type: 'button', className: 'rec-again', textContent: 'Render again' });
    again.addEventListener('click', async () => {
      again.disabled = true;
      try {
        await ctx.account.api.post(`/recordings/${encodeURIComponent(r.id)}/render`, {});
        setProgress(li, 'queued', 0, null, '');
        again.remove();
      } catch (err) {
        again.disabled = false;
        ctx?.status(describeApiError(err), 'error');
      }
    });
    li.append(again);
  }
  setProgress(li, r.state, r.render?.percent, r.render?.eta_s, r.render?.error);
  return li;
}

async function load() {
  if (!ctx?.account || !list) return;
  const c = ctx;
  try {
    const r = await c.account.api.get(`/recordings?room=${encodeURIComponent(c.room)}`);
    if (ctx !== c || !list) return;
    items.clear();
    for (const rec of r.recordings ?? []) items.set(rec.id, item(rec));
    list.replaceChildren(...items.values());
  } catch (err) {
    // A server without recording answers 404 for the route: the list just stays empty.
    if (err?.status !== 404) c.status(describeApiError(err), 'error');
  }
}

function show(on) {
  active = on;
  indicator.hidden = !on;
  button.textContent = on ? 'Stop recording' : 'Start recording';
}

registerPanel({
  id: 'recording',
  title: 'Recording',
  enter(c) {
    ctx = c;
    indicator = el('p', { id: 'recording-indicator', className: 'recording-indicator', textContent: '● Recording' });
    indicator.setAttribute('role', 'status');
    button = el('button', { type: 'button', id: 'recording-toggle' });
    button.addEventListener('click', () => {
      if (!ctx.send({ type: active ? 'record_stop' : 'record_start' })) ctx.status('Not connected.', 'error');
    });
    list = el('ul', { id: 'recordings', className: 'recordings' });
    c.body.append(indicator, button, list);
    show(false);
    if (!c.account) button.hidden = true;
    c.onMessage('recording', (m) => {
      if (!ctx) return;
      show(!!m.active);
      load();
    });
    c.onMessage('recording_render', (m) => {
      const li = items.get(m.recording);
      if (!li) return load();
      setProgress(li, m.state, m.percent, m.eta_s, m.error);
      if (m.state === 'ready' || m.state === 'failed') load();
    });
    load();
  },
  leave() {
    ctx = null;
    indicator = null;
    button = null;
    list = null;
    items.clear();
  },
});
