// The REST API of docs/protocol.md (/api/v1): JSON in and out, the access token as a Bearer
// header, and every failure turned into an ApiError carrying the server's stable code.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

// Words for the codes a user can run into; anything else shows the server's own message.
const CODE_TEXT = {
  bad_credentials: 'Wrong login or password.',
  login_taken: 'That login is taken; choose another.',
  unauthorized: 'Your session has ended; please log in again.',
  room_exists: 'A room with that id exists already.',
  not_found: 'No such room (or it is private and the link is incomplete).',
  forbidden: 'Only the room’s owner can do that.',
  too_large: 'That is too large for the server.',
  network: 'Cannot reach the server.',
  internal: 'The server had an internal error; try again.',
  storage_unavailable: 'The server’s database is restarting; try again in a moment.',
};

export function describeApiError(err) {
  if (!(err instanceof ApiError)) return String(err?.message ?? err);
  if (err.code === 'invalid_field' && err.message) return `The server refused a value: ${err.message}.`;
  return CODE_TEXT[err.code] ?? (err.message || err.code);
}

export class Api {
  #token;

  // token() returns the current access token ('' when logged out).
  constructor(token) {
    this.#token = token;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body);
  }

  put(path, body) {
    return this.request('PUT', path, body);
  }

  patch(path, body) {
    return this.request('PATCH', path, body);
  }

  delete(path) {
    return this.request('DELETE', path);
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json' };
    const token = this.#token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(`/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
    } catch (err) {
      throw new ApiError(0, 'network', `Cannot reach the server (${err.message})`);
    }
    if (res.status === 204) return null;
    const data = await res.json().catch(() => null);
    if (!res.ok) {
      const e = data?.error;
      throw new ApiError(res.status, e?.code ?? `http_${res.status}`, e?.message ?? res.statusText);
    }
    return data;
  }
}
