// Study time in the room view (docs/protocol.md, "Study time" and "Room timer and board"):
// the personal start/stop timer with today's total, the leaderboard and a month calendar
// (panel "study"), and the room's pomodoro timer with its board (panel "room-timer"). The
// server counts and keeps the clock; this module only draws, from the server's time.

import { describeApiError } from './api.js';
import { registerPanel } from './panels.js';

const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
};

export function formatDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}h ${String(m).padStart(2, '0')}m ${sec}s` : `${m}m ${sec}s`;
}

// The server's clock as seen from here: server_time minus local time, kept from each message.
let offset = 0;
const serverNow = () => Date.now() + offset;
const learnClock = (serverTime) => {
  if (Number.isFinite(serverTime)) offset = serverTime - Date.now();
};

let ctx = null;
let ticker = null;
let stats = null; // last /study/stats, with the local time it arrived
let timer = null; // last timer_state
let acked = 0; // alarms this tab acknowledged
const nodes = {};

function api() {
  return ctx?.account?.api ?? null;
}

async function refreshStats() {
  if (!api()) return;
  try {
    const s = await api().get('/study/stats');
    learnClock(s.server_time);
    stats = s;
    if (document.activeElement !== nodes.goal) nodes.goal.value = String(s.settings.daily_goal_minutes);
    draw();
  } catch (err) {
    ctx?.status(describeApiError(err), 'error');
  }
}

async function refreshBoards() {
  if (!api() || !ctx) return;
  const period = nodes.period.value;
  const room = nodes.roomOnly.checked ? `&room=${encodeURIComponent(ctx.room)}` : '';
  try {
    const lb = await api().get(`/study/leaderboard?period=${period}${room}`);
    nodes.leaders.replaceChildren(
      ...lb.entries.map((e) => el('li', { textContent: `${e.display_name || `user ${e.user_id}`} — ${formatDuration(e.ms)}` })),
    );
    if (!lb.entries.length) nodes.leaders.append(el('li', { className: 'empty', textContent: 'Nobody yet.' }));
    const cal = await api().get('/study/calendar');
    nodes.calendarTitle.textContent = cal.month;
    nodes.calendar.replaceChildren(
      ...cal.days.map((d, i) =>
        el('li', {
          className: `day${d.goal_met ? ' goal' : ''}${d.day === cal.today ? ' today' : ''}`,
          title: `${d.day}: ${formatDuration(d.ms)}`,
          textContent: `${Number(d.day.slice(8))}`,
          // Weeks start on Monday (as the server's weeks do): the 1st sits under its weekday.
          style: i === 0 ? `grid-column-start: ${((new Date(`${d.day}T12:00:00Z`).getUTCDay() + 6) % 7) + 1}` : '',
        }),
      ),
    );
  } catch (err) {
    ctx?.status(describeApiError(err), 'error');
  }
}

function todayMs() {
  if (!stats) return 0;
  const running = stats.open ? serverNow() - stats.server_time : 0;
  return stats.today_ms + Math.max(0, running);
}

function draw() {
  if (!ctx) return;
  const studying = !!stats?.open && stats.open.room === ctx.room;
  nodes.today.textContent = formatDuration(todayMs());
  nodes.toggle.textContent = studying ? 'Stop studying' : 'Start studying';
  nodes.toggle.setAttribute('aria-pressed', String(studying));
  nodes.streak.textContent = stats ? `Streak: ${stats.streak_days} day(s); goal ${stats.settings.daily_goal_minutes} min` : '';
  if (!timer) return;
  const names = { idle: 'Not started', done: 'Done', study: 'Study', break: 'Break' };
  let label = names[timer.phase] ?? timer.phase;
  if (timer.phase === 'study' || timer.phase === 'break') label += ` ${timer.cycle}/${timer.cycles}`;
  if (timer.paused) label += ' (paused)';
  nodes.phase.textContent = label;
  nodes.phase.dataset.phase = timer.phase;
  let left = 0;
  if (timer.phase === 'study' || timer.phase === 'break') {
    left = timer.running ? timer.phase_end_ms - serverNow() : timer.remaining_ms;
  }
  nodes.countdown.textContent = formatDuration(left);
  nodes.ack.hidden = !(timer.alarms_rung > acked);
}

function onTimerState(m) {
  learnClock(m.server_time);
  if (timer && m.run !== timer.run) acked = 0;
  timer = m;
  draw();
}

function addBoardPost(p) {
  const when = new Date(p.ts).toLocaleTimeString();
  nodes.board.append(el('li', { className: `board-${p.kind}`, textContent: `${when} ${p.text}` }));
}

function studyPanel(body) {
  nodes.today = el('output', { id: 'study-today', className: 'study-today' });
  nodes.toggle = el('button', { id: 'study-toggle', type: 'button' });
  nodes.toggle.addEventListener('click', () => {
    const studying = !!stats?.open && stats.open.room === ctx.room;
    if (!ctx.send({ type: 'study', action: studying ? 'stop' : 'start' })) {
      ctx.status('Not connected.', 'error');
    }
  });
  nodes.streak = el('p', { className: 'study-streak' });
  nodes.goal = el('input', { type: 'number', id: 'study-goal', min: 0, max: 1440, step: 1 });
  const goalForm = el(
    'form',
    { id: 'study-goal-form', className: 'study-goal' },
    el('label', { htmlFor: 'study-goal', textContent: 'Daily goal (min)' }),
    nodes.goal,
    el('button', { type: 'submit', textContent: 'Save goal' }),
  );
  goalForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const minutes = Number(nodes.goal.value);
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > 1440) {
      ctx.status('A daily goal is 0 to 1440 minutes.', 'error');
      return;
    }
    try {
      await api().put('/study/settings', { daily_goal_minutes: minutes });
      await refreshStats();
      refreshBoards();
    } catch (err) {
      ctx?.status(describeApiError(err), 'error');
    }
  });
  // The room's policy (owner, moderators and admins may change it; the server says who).
  nodes.mode = el('select', { id: 'study-mode' });
  for (const [v, t] of [['manual', 'by start/stop'], ['camera', 'while the camera is on']]) {
    nodes.mode.append(el('option', { value: v, textContent: t }));
  }
  nodes.mode.addEventListener('change', () => {
    if (!ctx.send({ type: 'study', action: 'mode', mode: nodes.mode.value })) ctx.status('Not connected.', 'error');
  });
  nodes.period = el('select', { id: 'leaderboard-period' });
  for (const [v, t] of [['today', 'Today'], ['week', 'This week'], ['month', 'This month']]) {
    nodes.period.append(el('option', { value: v, textContent: t }));
  }
  nodes.roomOnly = el('input', { type: 'checkbox', id: 'leaderboard-room' });
  nodes.period.addEventListener('change', refreshBoards);
  nodes.roomOnly.addEventListener('change', refreshBoards);
  nodes.leaders = el('ol', { id: 'leaderboard', className: 'leaderboard' });
  nodes.calendarTitle = el('h3', { className: 'calendar-title' });
  nodes.calendar = el('ol', { id: 'study-calendar', className: 'study-calendar' });
  body.append(
    el('p', {}, 'Today: ', nodes.today),
    nodes.toggle,
    el('label', {}, 'This room counts ', nodes.mode),
    nodes.streak,
    goalForm,
    el('h3', { textContent: 'Leaderboard' }),
    el('label', {}, 'Period ', nodes.period),
    el('label', {}, nodes.roomOnly, ' this room only'),
    nodes.leaders,
    nodes.calendarTitle,
    nodes.calendar,
  );
}

function timerPanel(body) {
  nodes.phase = el('p', { id: 'room-timer-phase', className: 'room-timer-phase' });
  nodes.countdown = el('output', { id: 'room-timer-countdown', className: 'room-timer-countdown' });
  const num = (id, label, value, max) => {
    const input = el('input', { type: 'number', id, min: 1, max, value });
    return [input, el('label', { htmlFor: id, textContent: label })];
  };
  const [study, studyLabel] = num('timer-study', 'Study (min)', 25, 240);
  const [brk, brkLabel] = num('timer-break', 'Break (min)', 5, 120);
  const [cycles, cyclesLabel] = num('timer-cycles', 'Cycles', 4, 24);
  const button = (text, action) => {
    const b = el('button', { type: 'button', textContent: text });
    b.addEventListener('click', () => ctx.send({ type: 'timer', action }));
    return b;
  };
  const set = el('button', { type: 'button', textContent: 'Set' });
  set.addEventListener('click', () =>
    ctx.send({
      type: 'timer',
      action: 'set',
      study_minutes: Number(study.value),
      break_minutes: Number(brk.value),
      cycles: Number(cycles.value),
    }),
  );
  nodes.ack = el('button', { type: 'button', id: 'room-timer-ack', textContent: 'Acknowledge the alarm', hidden: true });
  nodes.ack.addEventListener('click', () => {
    if (!timer) return;
    acked = timer.alarms_rung;
    ctx.send({ type: 'timer', action: 'ack', alarm: timer.alarms_rung });
    draw();
  });
  nodes.board = el('ol', { id: 'room-board', className: 'room-board' });
  body.append(
    nodes.phase,
    nodes.countdown,
    nodes.ack,
    el('div', { className: 'room-timer-controls' }, button('Start', 'start'), button('Pause', 'pause'), button('Reset', 'reset')),
    el('div', { className: 'room-timer-set' }, studyLabel, study, brkLabel, brk, cyclesLabel, cycles, set),
    el('h3', { textContent: 'Room board' }),
    nodes.board,
  );
}

registerPanel({
  id: 'study',
  title: 'My study time',
  enter(c) {
    ctx = c;
    stats = null;
    studyPanel(c.body);
    if (!c.account) {
      c.body.replaceChildren(el('p', { textContent: 'Log in to count your study time.' }));
      return;
    }
    c.onMessage('study_mode', (m) => {
      nodes.mode.value = m.mode;
    });
    c.onMessage('study_state', (m) => {
      learnClock(m.server_time);
      refreshStats();
      if (!m.studying) refreshBoards();
    });
    refreshStats();
    refreshBoards();
    clearInterval(ticker);
    ticker = setInterval(draw, 250);
  },
  leave() {
    clearInterval(ticker);
    ticker = null;
    ctx = null;
  },
});

registerPanel({
  id: 'room-timer',
  title: 'Room timer',
  enter(c) {
    timer = null;
    acked = 0;
    timerPanel(c.body);
    c.onMessage('timer_state', onTimerState);
    c.onMessage('timer_acked', () => {});
    c.onMessage('board', addBoardPost);
    // The server sends the board's history on entering (and again after a reconnect).
    c.onMessage('board_history', (m) => {
      nodes.board.replaceChildren();
      m.posts.forEach(addBoardPost);
    });
  },
});
