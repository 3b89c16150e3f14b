// Page helpers shared by the browser tests: console capture, sign-up through the page's own
// forms, and waits that explain themselves when they time out.

import fs from 'node:fs';
import path from 'node:path';

export const WAIT_MS = 30000; // "within 30 s": the machine is small and shared

// Keeps the page's console in ARTIFACTS/page-KEY-console.log and its uncaught errors in errors[key].
export function watch(page, key, artifacts, errors) {
  errors[key] = [];
  const log = fs.createWriteStream(path.join(artifacts, `page-${key}-console.log`));
  page.on('console', (m) => log.write(`[${new Date().toISOString()}] ${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => {
    errors[key].push(e.message);
    log.write(`[${new Date().toISOString()}] pageerror: ${e.stack ?? e.message}\n`);
  });
}

export async function signUp(page, { login, displayName, password }) {
  const form = page.locator('#signup-form');
  await form.getByLabel('Choose a login').fill(login);
  await form.getByLabel('Display name').fill(displayName);
  await form.getByLabel('Choose a password').fill(password);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.locator('#rooms').waitFor({ state: 'visible', timeout: WAIT_MS });
}

// The sign-up every browser test starts with: the page at url, its sign-in shown, an account.
export async function signUpAt(page, url, user) {
  await page.goto(url);
  await page.locator('#signin').waitFor({ state: 'visible', timeout: WAIT_MS });
  await signUp(page, user);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Creates a room from the room list and waits until we are in it.
export async function createRoom(page, title) {
  const form = page.locator('#create-form');
  await form.getByLabel('Title').fill(title);
  await form.getByRole('button', { name: 'Create room' }).click();
  await waitForStatus(page, new RegExp(`In room ${escapeRegExp(title)}`));
}

// Joins the room of that title from the room list and waits until we are in it.
export async function joinFromList(page, title) {
  await page.locator('.room-card', { hasText: title }).getByRole('button', { name: /^Join/ }).click();
  await waitForStatus(page, new RegExp(`In room ${escapeRegExp(title)}`));
}

export async function logIn(page, { login, password }) {
  const form = page.locator('#login-form');
  await form.getByLabel('Login', { exact: true }).fill(login);
  await form.getByLabel('Password', { exact: true }).fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
  await page.locator('#rooms').waitFor({ state: 'visible', timeout: WAIT_MS });
}

export async function statusText(page) {
  return (await page.locator('#status').textContent()) ?? '';
}

// Waits until the status line matches re; the error names what it showed instead.
export async function waitForStatus(page, re, timeout = WAIT_MS) {
  await page
    .waitForFunction((src) => new RegExp(src).test(document.getElementById('status').textContent), re.source, {
      timeout,
      polling: 200,
    })
    .catch(async (e) => {
      throw new Error(`status never matched ${re} (it says "${await statusText(page)}"): ${e.message}`);
    });
}

export async function participantNames(page) {
  return page.locator('#participants li .name').allTextContents();
}

export async function waitForNames(page, names) {
  await page
    .waitForFunction(
      (want) => {
        const shown = [...document.querySelectorAll('#participants li .name')].map((e) => e.textContent);
        return want.every((n) => shown.includes(n));
      },
      names,
      { timeout: WAIT_MS },
    )
    .catch(async (e) => {
      throw new Error(`participants never showed ${names} (shown: ${await participantNames(page)}): ${e.message}`);
    });
}
