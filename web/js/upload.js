// Shares a file in the room's chat: the file goes up over REST (POST /api/v1/materials,
// the raw bytes as the body, with progress), then a chat message carries its id.

import { ApiError, describeApiError } from './api.js';

const $ = (id) => document.getElementById(id);

// Resolves with the server's material ({id, name, size, type, url}); onProgress(0..1).
export function uploadMaterial({ file, room, token, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const params = new URLSearchParams({ room, name: file.name || 'file' });
    xhr.open('POST', `/api/v1/materials?${params}`);
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const body = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300 && body?.material) return resolve(body.material);
      const e = body?.error;
      reject(new ApiError(xhr.status, e?.code ?? `http_${xhr.status}`, e?.message ?? xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'Cannot reach the server'));
    xhr.send(file);
  });
}

export class ShareButton {
  #busy = false;

  // room() is the room we are in; token() the access token; send(message) goes to the room;
  // status(text, kind) reports.
  constructor({ room, token, send, status }) {
    this.row = $('share-row');
    this.input = $('file-input');
    this.button = $('share-button');
    this.progress = $('upload-progress');
    this.button.addEventListener('click', () => this.input.click());
    this.input.addEventListener('change', async () => {
      const file = this.input.files?.[0];
      this.input.value = '';
      if (!file || this.#busy) return;
      this.#busy = true;
      this.button.disabled = true;
      this.progress.hidden = false;
      this.progress.value = 0;
      status(`Uploading ${file.name}…`);
      try {
        const material = await uploadMaterial({
          file,
          room: room(),
          token: token(),
          onProgress: (p) => {
            this.progress.value = p;
          },
        });
        if (send({ type: 'chat', text: '', attachment: material.id }) === false) {
          status(`${file.name} is uploaded, but the link could not be sent: not connected.`, 'error');
        } else {
          status(`Shared ${file.name}.`, 'ok');
        }
      } catch (err) {
        status(`Could not share ${file.name}: ${describeApiError(err)}`, 'error');
      } finally {
        this.#busy = false;
        this.button.disabled = false;
        this.progress.hidden = true;
      }
    });
  }

  // Files can be shared only with accounts (the server keeps them for the room's members).
  setAvailable(on) {
    this.row.hidden = !on;
  }
}
