// The admin page (admin.html) over the admin API of docs/protocol.md: every node's rooms and
// participants with a force-close per room, a ban from every room (and the list of those in
// force, each with an unban), and the audit log with
// filters and older pages. Uses this tab's sign-in (sessionStorage, as the room page does);
// a non-admin is told so by the server (admin_only).

import { Account } from './account.js';
import { describeApiError } from './api.js';

const $ = (id) => document.getElementById(id);
const account = new Account();
let auditBefore = null; // next_before of the last page shown

function status(text, kind = 'info') {
  $('status').textContent = text;
  $('status').dataset.kind = kind;
}

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}

function fail(err) {
  if (err?.code === 'admin_only') status('This page is for global admins only.', 'error');
  else status(describeApiError(err), 'error');
}

async function loadRooms() {
  try {
    const data = await account.api.get('/admin/rooms');
    const rows = (data.rooms ?? []).map((r) => {
      const tr = document.createElement('tr');
      tr.dataset.room = r.id;
      const people = (r.participants ?? []).map((p) => `${p.name}${p.user ? ` (#${p.user})` : ' (guest)'} @${p.node}`);
      const close = document.createElement('td');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'danger';
      b.textContent = 'Close';
      b.setAttribute('aria-label', `Close room ${r.id}`);
      b.onclick = () => closeRoom(r.id);
      close.append(b);
      tr.append(cell(r.id), cell(people.join(', ')), close);
      return tr;
    });
    $('admin-rooms').replaceChildren(...rows);
    $('admin-rooms-empty').hidden = rows.length > 0;
  } catch (err) {
    fail(err);
  }
}

async function closeRoom(id) {
  const reason = window.prompt(`Close room ${id} for everyone? Reason:`, '') ?? null;
  if (reason === null) return;
  try {
    const r = await account.api.post(`/admin/rooms/${encodeURIComponent(id)}/close`, { reason });
    status(`Room ${id} closed; ${r.removed?.length ?? 0} participant(s) removed.`, 'ok');
    loadRooms();
  } catch (err) {
    fail(err);
  }
}

async function ban(e) {
  e.preventDefault();
  const user = Number($('admin-ban-user').value);
  if (!Number.isInteger(user) || user < 1) return status('Give the user’s id.', 'error');
  const body = { user, reason: $('admin-ban-reason').value.trim() };
  const minutes = Number($('admin-ban-minutes').value);
  if ($('admin-ban-minutes').value && Number.isInteger(minutes) && minutes > 0) body.minutes = minutes;
  try {
    const r = await account.api.post('/admin/bans', body);
    status(`${r.ban?.name ?? `User ${user}`} is banned from every room; ${r.removed?.length ?? 0} session(s) removed.`, 'ok');
    loadRooms();
    loadBans();
    loadAudit(false);
  } catch (err) {
    fail(err);
  }
}

async function loadBans() {
  try {
    const data = await account.api.get('/admin/bans');
    const rows = (data.bans ?? []).map((b) => {
      const tr = document.createElement('tr');
      tr.dataset.user = String(b.user);
      const lift = document.createElement('td');
      const btn = document.createElement('button');
      btn.type = 'button';
      btn.textContent = 'Unban';
      btn.setAttribute('aria-label', `Unban ${b.name || `user ${b.user}`}`);
      btn.onclick = () => unban(b.user);
      lift.append(btn);
      tr.append(
        cell(`${b.name} (#${b.user})`),
        cell(b.until ? new Date(b.until).toISOString() : 'for good'),
        cell(b.reason),
        lift,
      );
      return tr;
    });
    $('admin-bans').replaceChildren(...rows);
    $('admin-bans-empty').hidden = rows.length > 0;
  } catch (err) {
    fail(err);
  }
}

async function unban(user) {
  try {
    const r = await account.api.delete(`/admin/bans/${user}`);
    status(`${r.name ?? `User ${user}`} may join rooms again.`, 'ok');
    loadBans();
    loadAudit(false);
  } catch (err) {
    fail(err);
  }
}

async function loadAudit(older) {
  const q = new URLSearchParams();
  for (const [key, id] of [['room', 'audit-room'], ['action', 'audit-action'], ['actor', 'audit-actor'], ['target', 'audit-target']]) {
    const v = $(id).value.trim();
    if (v) q.set(key, v);
  }
  q.set('limit', '50');
  if (older && auditBefore) q.set('before', String(auditBefore));
  try {
    const data = await account.api.get(`/admin/audit?${q}`);
    const rows = (data.entries ?? []).map((e) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(String(e.id)),
        cell(e.at),
        cell(e.room || '(everywhere)'),
        cell(e.action),
        cell(e.actor?.user ? `${e.actor.name} (#${e.actor.user})` : 'the server'),
        cell(e.target?.user ? `${e.target.name} (#${e.target.user})` : e.target?.name ?? ''),
        cell(e.reason),
      );
      return tr;
    });
    if (older) $('admin-audit').append(...rows);
    else $('admin-audit').replaceChildren(...rows);
    auditBefore = data.next_before ?? null;
    $('admin-audit-older').hidden = auditBefore === null;
  } catch (err) {
    fail(err);
  }
}

function showMain() {
  $('admin-login').hidden = true;
  $('admin-main').hidden = false;
  loadRooms();
  loadBans();
  loadAudit(false);
}

$('admin-refresh').addEventListener('click', () => loadRooms());
$('admin-ban').addEventListener('submit', ban);
$('admin-audit-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  loadAudit(false);
});
$('admin-audit-older').addEventListener('click', () => loadAudit(true));
$('admin-login').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await account.login({ login: $('admin-login-name').value.trim(), password: $('admin-login-password').value });
    showMain();
  } catch (err) {
    fail(err);
  }
});

if (account.signedIn) showMain();
else $('admin-login').hidden = false;
