// Entry point: picks the flow the server supports (accounts: sign in, then the room
// directory; no database: a name and a room), and wires the views to a RoomClient.

import { Account } from './account.js';
import { RoomClient } from './client.js';
import { enterPanels, leavePanels } from './panels.js';
import { LobbyView } from './lobby-view.js';
import { loadPrefs, savePrefs } from './prefs.js';
import { confirmJoin } from './recording-notice.js';
import { RoomsView } from './rooms-view.js';
import { SignInView } from './signin-view.js';
import { UI } from './ui.js';
import { ShareButton } from './upload.js';
import { checkChat, checkName, checkRoom } from './validate.js';

// Side panels register themselves on import (see panels.js); add theirs here.
import './study-panels.js';
import './todo-panel.js';
import './recording-panel.js';

const JOINED_KEY = 'carrel.joined'; // the room this tab is in, so a reload goes back in

const ui = new UI();
const client = new RoomClient(ui);
const account = new Account();
let accounts = false; // whether this server has accounts (decided at start-up)

const status = (text, kind) => ui.status(text, kind);

const rooms = new RoomsView({
  api: account.api,
  status,
  userId: () => account.user?.id,
  onJoin: (room) => joinRoom(room),
});

const lobby = new LobbyView({ api: account.api, onJoin: (room) => joinRoom(room) });

const signIn = new SignInView({
  account,
  status,
  onSignedIn: (user) => {
    status(`Welcome, ${user.display_name || user.login}.`, 'ok');
    showRooms();
  },
});

account.onChange((user) => ui.setAccount(user));

ui.chat.send = (m) => client.send(m);
// Ours: the same account (any of its connections), or, as a guest, this connection.
ui.chat.isMine = (from) =>
  account.user && Number.isFinite(from.user_id) ? from.user_id === account.user.id : from.participant === client.selfId;
ui.chat.download = (attachment) => downloadMaterial(attachment);

const share = new ShareButton({
  room: () => client.room,
  token: () => account.token,
  send: (m) => client.send(m),
  status,
});

// Downloads need our token (the server checks room membership), which a plain link cannot
// carry: fetch the file, then hand it to the browser under its shared name.
async function downloadMaterial(a) {
  try {
    const res = await fetch(a.url, { headers: account.token ? { Authorization: `Bearer ${account.token}` } : {} });
    if (!res.ok) throw new Error(`the server answered ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const link = document.createElement('a');
    link.href = url;
    link.download = a.name ?? 'file';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) {
    ui.status(`Could not download ${a.name ?? 'the file'}: ${err.message}`, 'error');
  }
}

function remembered() {
  try {
    return JSON.parse(sessionStorage.getItem(JOINED_KEY) ?? 'null');
  } catch {
    return null;
  }
}

function remember(room) {
  try {
    if (room) sessionStorage.setItem(JOINED_KEY, JSON.stringify(room));
    else sessionStorage.removeItem(JOINED_KEY);
  } catch {
    // without storage a reload just shows the room's card instead of going back in
  }
}

function linkedRoom() {
  const p = new URLSearchParams(location.search);
  const id = p.get('room');
  return id ? { id, invite: p.get('invite') ?? '' } : null;
}

function setLink(room) {
  const url = new URL(location.href);
  url.search = '';
  if (room) {
    url.searchParams.set('room', room.id);
    if (room.invite) url.searchParams.set('invite', room.invite);
  }
  history.replaceState(null, '', url);
}

function showSignIn() {
  rooms.hide();
  lobby.stop();
  ui.resetRoom();
  ui.showView('signin');
  signIn.show();
}

function showRooms() {
  ui.resetRoom();
  ui.showView('rooms');
  rooms.show(linkedRoom());
  lobby.start();
}

function showStart() {
  if (!accounts) ui.showLobby(loadPrefs());
  else if (account.signedIn) showRooms();
  else showSignIn();
}

let confirming = false; // the recording notice is open

// room: {id, title, password, invite}; a room being recorded asks first (recording-notice.js)
async function joinRoom(room) {
  if (client.active || confirming) return;
  confirming = true;
  let join;
  try {
    join = await confirmJoin(account.api, room);
  } finally {
    confirming = false;
  }
  if (!join) {
    remember(null);
    if (ui.views.rooms.hidden) showStart();
    status(`You did not join ${room.title || room.id}: it is being recorded.`);
    return;
  }
  if (client.active) return;
  lobby.stop();
  const name = account.user?.display_name || account.user?.login || 'me';
  setLink(room);
  remember({ id: room.id, title: room.title, invite: room.invite });
  enterRoomPanels(room.id);
  await client.join(name, room.id, {
    token: account.token,
    password: room.password,
    invite: room.invite,
    title: room.title,
  });
}

function enterRoomPanels(roomId) {
  enterPanels(document.getElementById('side'), {
    room: roomId,
    send: (m) => client.send(m),
    onMessage: (type, fn) => client.onMessage(type, fn),
    account: accounts ? account : null,
    status,
  });
}

client.onGiveUp = (why, code) => {
  leavePanels();
  remember(null);
  if (code === 'unauthorized') account.forget();
  showStart();
  ui.status(why, 'error');
};

// The socket would not open: false when our token is no longer good (so stop trying).
client.onConnectFailed = async () => {
  try {
    await account.probe();
  } catch {
    return true; // the server is down, not our token: keep trying
  }
  return account.signedIn;
};

ui.bind({
  onJoin: async ({ name, room }) => {
    const problem = checkName(name) ?? checkRoom(room);
    if (problem) {
      ui.status(problem, 'error');
      return;
    }
    savePrefs({ name, room });
    ui.setJoining(true);
    try {
      enterRoomPanels(room);
      await client.join(name, room);
    } catch (err) {
      console.error('carrel: join failed:', err);
      ui.status(`Could not join: ${err.message ?? err}`, 'error');
    } finally {
      ui.setJoining(false);
    }
  },
  onLeave: async () => {
    await client.leave();
    leavePanels();
    remember(null);
    if (accounts) setLink(null);
    showStart();
    ui.status('You left the room.');
  },
  onChat: (text) => {
    const problem = checkChat(text.trim());
    if (problem) {
      ui.status(problem, 'error');
      return false;
    }
    return client.sendChat(text.trim());
  },
});

ui.bindMedia({
  onMic: () => client.toggleMic(),
  onCamera: () => client.toggleCamera(),
  onScreen: () => client.toggleScreen(),
});

ui.bindAccount({
  onLogout: async () => {
    if (client.active) await client.leave();
    leavePanels();
    remember(null);
    await account.logout();
    setLink(null);
    showSignIn();
    ui.status('You are logged out.');
  },
});

async function start() {
  try {
    accounts = await account.probe();
  } catch (err) {
    ui.status(`${err.message}. Reload the page to try again.`, 'error');
    return;
  }
  ui.setAccount(accounts ? account.user : null);
  share.setAvailable(accounts);
  const back = remembered();
  const linked = linkedRoom();
  // A reload inside a room goes back into it (a room with a password shows its card).
  if (accounts && account.signedIn && back && linked?.id === back.id) {
    joinRoom({ ...back, password: '' });
    return;
  }
  showStart();
}

start();
if (!window.RTCPeerConnection) ui.status('This browser cannot do WebRTC: video will not work.', 'error');

// The server notices a closed socket anyway; saying goodbye just makes it quicker.
window.addEventListener('pagehide', () => {
  if (client.active) client.leave();
});
