// The client-side mirror of docs/protocol.md's limits, so a typo is caught before a round
// trip; the server checks again and stays the authority.

const encoder = new TextEncoder();

export const byteLength = (s) => encoder.encode(s).length;

export function checkName(name) {
  const n = byteLength(name);
  if (n < 1) return 'Please enter your name.';
  if (n > 64) return 'Your name is too long (at most 64 bytes).';
  return null;
}

export function checkRoom(room) {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(room)) {
    return 'A room name is 1 to 64 letters, digits, “_” or “-”.';
  }
  return null;
}

export function checkChat(text) {
  const n = byteLength(text);
  if (n < 1) return 'Type a message first.';
  if (n > 2000) return 'That message is too long (at most 2000 bytes).';
  return null;
}
