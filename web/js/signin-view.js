// Log-in and sign-up forms of a server with accounts.

import { describeApiError } from './api.js';

const $ = (id) => document.getElementById(id);

const LOGIN_RE = /^[a-z0-9_.-]{3,32}$/;

export class SignInView {
  // account: an Account; status(text, kind); onSignedIn(user).
  constructor({ account, status, onSignedIn }) {
    this.section = $('signin');
    const login = $('login-form');
    const signup = $('signup-form');
    const busy = (form, on) => {
      for (const b of form.querySelectorAll('button')) b.disabled = on;
    };
    login.addEventListener('submit', async (e) => {
      e.preventDefault();
      const creds = { login: login.elements.login.value.trim(), password: login.elements.password.value };
      if (!creds.login || !creds.password) return status('Enter your login and password.', 'error');
      busy(login, true);
      try {
        const user = await account.login(creds);
        login.reset();
        onSignedIn(user);
      } catch (err) {
        status(`Could not log in: ${describeApiError(err)}`, 'error');
      } finally {
        busy(login, false);
      }
    });
    signup.addEventListener('submit', async (e) => {
      e.preventDefault();
      const f = signup.elements;
      const form = {
        login: f.login.value.trim(),
        password: f.password.value,
        displayName: f.display_name.value.trim(),
        timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      };
      const problem = !LOGIN_RE.test(form.login)
        ? 'A login is 3 to 32 of a–z, 0–9, “_”, “.” and “-”.'
        : !form.displayName
          ? 'Enter a display name.'
          : form.password.length < 8
            ? 'A password has at least 8 characters.'
            : null;
      if (problem) return status(problem, 'error');
      busy(signup, true);
      try {
        const user = await account.signup(form);
        signup.reset();
        onSignedIn(user);
      } catch (err) {
        status(`Could not create the account: ${describeApiError(err)}`, 'error');
      } finally {
        busy(signup, false);
      }
    });
  }

  show() {
    this.section.hidden = false;
    $('login-login').focus();
  }

  hide() {
    this.section.hidden = true;
  }
}
