// The pre-join notice: before entering a room that is being recorded, the user is told so
// and joins only by choosing to (as conferencing products do). The room's public info
// (GET /api/v1/rooms/<id>) says `recording` from the catalog, whichever control node
// started the recording. A recording that starts after this check is still announced in the
// room (the `recording` message and its indicator).

const $ = (id) => document.getElementById(id);

// Resolves true to join, false to stay out. An info lookup that fails lets the join go on:
// the join itself then reports why it cannot enter, and a joiner is told in the room anyway.
export async function confirmJoin(api, room) {
  let info = null;
  try {
    const qs = room.invite ? `?invite=${encodeURIComponent(room.invite)}` : '';
    info = (await api.get(`/rooms/${encodeURIComponent(room.id)}${qs}`))?.room ?? null;
  } catch {
    return true;
  }
  if (!info?.recording) return true;
  return ask(info.title || room.title || room.id);
}

function ask(title) {
  const dialog = $('recording-notice');
  if (!dialog) return Promise.resolve(true);
  $('recording-notice-room').textContent = title;
  return new Promise((resolve) => {
    const finish = (join) => {
      $('recording-notice-join').removeEventListener('click', onJoin);
      $('recording-notice-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      resolve(join);
    };
    const onJoin = () => finish(true);
    const onCancel = (e) => {
      e.preventDefault();
      finish(false);
    };
    $('recording-notice-join').addEventListener('click', onJoin);
    $('recording-notice-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel); // Escape
    dialog.showModal();
    $('recording-notice-cancel').focus();
  });
}
