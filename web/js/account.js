// The signed-in account: its access token and user, kept in sessionStorage.
//
// sessionStorage, not localStorage: each tab is its own sign-in (two tabs can be two
// people, as on a shared library computer or in a test), a reload keeps it, and closing the
// tab forgets it. Carrel allows one live session per user, so a token shared by every tab
// would make each new tab take the room over from the others.

import { Api, ApiError } from './api.js';

const TOKEN_KEY = 'carrel.token';
const USER_KEY = 'carrel.user';

function store() {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage can be disabled; sign-in then lasts until the page reloads
  }
}

export class Account {
  #token = '';
  #user = null;
  #listeners = new Set();

  constructor() {
    const s = store();
    this.#token = s?.getItem(TOKEN_KEY) ?? '';
    try {
      this.#user = JSON.parse(s?.getItem(USER_KEY) ?? 'null');
    } catch {
      this.#user = null;
    }
    this.api = new Api(() => this.#token);
  }

  get token() {
    return this.#token;
  }

  get user() {
    return this.#user;
  }

  get signedIn() {
    return !!this.#token;
  }

  // fn(user or null) after every sign-in or sign-out.
  onChange(fn) {
    this.#listeners.add(fn);
  }

  // Whether this server has accounts: /api/v1/me answers 401 without a token there, and
  // nothing JSON at all on a server running without a database.
  async probe() {
    try {
      const me = await this.api.get('/me');
      this.#set(this.#token, me.user);
      return true;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 'unauthorized') {
        if (this.#token) this.#set('', null);
        return true;
      }
      if (err.code === 'network') throw err;
      return false;
    }
  }

  async signup({ login, password, displayName, timeZone }) {
    const body = { login, password, display_name: displayName };
    if (timeZone) body.time_zone = timeZone;
    try {
      await this.api.post('/auth/signup', body);
    } catch (err) {
      // A browser may name a zone the server's tz database lacks: the account is still
      // worth having, on UTC (changed later in the profile).
      if (!timeZone || err.code !== 'invalid_field' || !/time_zone/.test(err.message)) throw err;
      delete body.time_zone;
      await this.api.post('/auth/signup', body);
    }
    return this.login({ login, password });
  }

  async login({ login, password }) {
    const r = await this.api.post('/auth/login', { login, password });
    this.#set(r.token, r.user);
    return r.user;
  }

  async logout() {
    try {
      if (this.#token) await this.api.post('/auth/logout');
    } catch (err) {
      // Already expired or revoked: forgetting it here is all that is left to do.
      console.warn('carrel: logout:', err.message);
    }
    this.#set('', null);
  }

  // The server refused our token (expired, revoked, replaced): forget it.
  forget() {
    this.#set('', null);
  }

  #set(token, user) {
    this.#token = token ?? '';
    this.#user = user ?? null;
    const s = store();
    try {
      if (this.#token) {
        s?.setItem(TOKEN_KEY, this.#token);
        s?.setItem(USER_KEY, JSON.stringify(this.#user));
      } else {
        s?.removeItem(TOKEN_KEY);
        s?.removeItem(USER_KEY);
      }
    } catch {
      // a full or blocked storage only costs the sign-in at the next reload
    }
    for (const fn of this.#listeners) fn(this.#user);
  }
}
