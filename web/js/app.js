// Entry point: wires the page's forms to a RoomClient.

import { RoomClient } from './client.js';
import { loadPrefs, savePrefs } from './prefs.js';
import { UI } from './ui.js';
import { checkChat, checkName, checkRoom } from './validate.js';

const ui = new UI();
const client = new RoomClient(ui);

client.onGiveUp = () => ui.showLobby(loadPrefs());

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
    ui.showLobby(loadPrefs());
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

ui.showLobby(loadPrefs());
if (!window.RTCPeerConnection) ui.status('This browser cannot do WebRTC: video will not work.', 'error');

// The server notices a closed socket anyway; saying goodbye just makes it quicker.
window.addEventListener('pagehide', () => {
  if (client.active) client.leave();
});
