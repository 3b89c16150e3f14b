// Name and room survive a reload (localStorage), and the room rides in the URL so that a
// link opens the same room in another tab or on another machine.

const NAME_KEY = 'carrel.name';
const ROOM_KEY = 'carrel.room';

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage can be disabled; the page still works without it
  }
}

export function loadPrefs() {
  const s = storage();
  const fromUrl = new URLSearchParams(location.search).get('room');
  return {
    name: s?.getItem(NAME_KEY) ?? '',
    room: fromUrl ?? s?.getItem(ROOM_KEY) ?? '',
  };
}

export function savePrefs({ name, room }) {
  const s = storage();
  try {
    s?.setItem(NAME_KEY, name);
    s?.setItem(ROOM_KEY, room);
  } catch {
    // a full or blocked storage must not stop the join
  }
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  history.replaceState(null, '', url);
}
