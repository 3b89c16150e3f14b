// Side panels of the room view beyond people and chat (study timer, board, recordings…),
// each in its own module. A module registers itself once:
//
//   import { registerPanel } from './panels.js';
//   registerPanel({
//     id: 'timer', title: 'Study timer',
//     enter(ctx) { … },   // joined a room: ctx = {room, body, send, onMessage, account, status}
//     leave() { … },      // left it (or the connection is gone for good)
//   });
//
// and app.js imports the module. `body` is the panel's own element (emptied on leave);
// `send(message)` goes to the server on the room's WebSocket (false when not connected);
// `onMessage(type, fn)` receives server messages of that type; `account` is the signed-in
// Account (null without accounts); `status(text, kind)` writes the page's status line.

const panels = new Map();
let mounted = null; // the ctx of the room we are in

export function registerPanel(panel) {
  if (!panel?.id || panels.has(panel.id)) throw new Error(`panel ${panel?.id} registered twice or without id`);
  panels.set(panel.id, { ...panel, section: null, body: null });
}

function sectionFor(p, side) {
  if (p.section) return p;
  const section = document.createElement('section');
  section.className = `panel panel-${p.id}`;
  section.dataset.panel = p.id;
  const h = document.createElement('h2');
  h.id = `panel-${p.id}-title`;
  h.textContent = p.title ?? p.id;
  section.setAttribute('aria-labelledby', h.id);
  const body = document.createElement('div');
  body.className = 'panel-body';
  section.append(h, body);
  side.append(section);
  p.section = section;
  p.body = body;
  return p;
}

// Called by app.js when the room view opens: ctx without body.
export function enterPanels(side, ctx) {
  leavePanels();
  mounted = ctx;
  for (const p of panels.values()) {
    sectionFor(p, side);
    p.section.hidden = false;
    try {
      p.enter?.({ ...ctx, body: p.body });
    } catch (err) {
      console.error(`carrel: panel ${p.id}:`, err);
    }
  }
}

export function leavePanels() {
  if (!mounted) return;
  mounted = null;
  for (const p of panels.values()) {
    try {
      p.leave?.();
    } catch (err) {
      console.error(`carrel: panel ${p.id}:`, err);
    }
    if (p.body) p.body.replaceChildren();
    if (p.section) p.section.hidden = true;
  }
}
