// The review page: a rendered recording with the room's chat and events (joins, leaves,
// timer phases, board) replayed beside it in sync. Timer phases and chat are marks on the
// timeline; clicking a chat message (or the timeline) seeks the video there.
//
// review.html?recording=<id>[&share=<token>]: with a share link no account is needed; without
// one, the signed-in tab's token (sessionStorage, as the main client keeps it) is used.

const params = new URLSearchParams(location.search);
const recording = params.get('recording') ?? '';
const share = params.get('share') ?? '';
const token = (() => {
  try {
    return sessionStorage.getItem('carrel.token') ?? '';
  } catch {
    return '';
  }
})();

const video = document.getElementById('review-video');
const list = document.getElementById('review-events');
const bar = document.getElementById('review-timeline');
const status = document.getElementById('review-status');
const title = document.getElementById('review-title');

function withAuth(path) {
  const q = share ? `share=${encodeURIComponent(share)}` : token ? `token=${encodeURIComponent(token)}` : '';
  return q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path;
}

function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function describe(e) {
  const d = e.data ?? {};
  switch (e.event) {
    case 'chat': return `${d.name ?? d.from?.name ?? '?'}: ${d.text ?? ''}`;
    case 'join': return `${d.name || d.participant} joined`;
    case 'leave': return `${d.participant} left`;
    case 'board': return `board: ${d.text ?? ''}`;
    default: return e.event.startsWith('timer') ? `timer: ${d.phase ?? e.event}` : e.event;
  }
}

function render(events, durationMs) {
  list.replaceChildren();
  bar.replaceChildren();
  const items = [];
  for (const e of events) {
    const li = document.createElement('li');
    li.className = e.event === 'chat' ? 'chat' : 'event';
    li.dataset.t = String(e.t_ms);
    const t = document.createElement('span');
    t.className = 't';
    t.textContent = clock(e.t_ms);
    li.append(t, document.createTextNode(describe(e)));
    if (e.event === 'chat') li.addEventListener('click', () => seek(e.t_ms));
    list.append(li);
    items.push(li);
    if (durationMs > 0 && (e.event === 'chat' || e.event.startsWith('timer'))) {
      const m = document.createElement('span');
      m.className = `mark ${e.event === 'chat' ? 'chat' : 'phase'}`;
      m.style.left = `${(100 * e.t_ms) / durationMs}%`;
      m.title = `${clock(e.t_ms)} ${describe(e)}`;
      bar.append(m);
    }
  }
  const head = document.createElement('span');
  head.className = 'head';
  bar.append(head);
  bar.addEventListener('click', (ev) => {
    const r = bar.getBoundingClientRect();
    seek(((ev.clientX - r.left) / r.width) * durationMs);
  });
  // Replay in sync: what was said before the playhead is shown, the rest is faded.
  video.addEventListener('timeupdate', () => {
    const now = video.currentTime * 1000;
    for (const li of items) li.classList.toggle('future', Number(li.dataset.t) > now);
    if (durationMs > 0) head.style.left = `${Math.min(100, (100 * now) / durationMs)}%`;
  });
}

function seek(ms) {
  video.currentTime = Math.max(0, ms / 1000);
  if (video.paused) video.play().catch(() => {});
}

async function main() {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(recording)) {
    status.textContent = 'No recording given.';
    return;
  }
  const base = `/api/v1/recordings/${recording}`;
  const res = await fetch(withAuth(`${base}/timeline`));
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    status.textContent = body?.error?.message ?? `This recording cannot be opened (${res.status}).`;
    document.body.dataset.state = 'refused';
    return;
  }
  const timeline = await res.json();
  title.textContent = `Recording of ${timeline.room}`;
  render(timeline.events ?? [], timeline.duration_ms ?? 0);
  video.src = withAuth(`${base}/video`);
  document.body.dataset.state = 'ready';
}

main().catch((e) => {
  status.textContent = `Error: ${e.message}`;
});
