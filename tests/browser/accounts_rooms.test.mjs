// Accounts and rooms in the web client, through the real stack with MariaDB: sign up, create
// a room (with a #tag and a category), find it by search from another account, join it and
// chat, share a file in the chat (the other downloads the same bytes), come back into the
// room after a reload with the history (and the file's link) shown, edit and delete one's
// own messages, page back through older messages, and log out.
//
// Run: CARREL_BUILD_DIR=build CARREL_SOURCE_DIR=. node --test tests/browser/accounts_rooms.test.mjs

import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './support/chromium.mjs';
import { logIn, signUp, signUpAt, waitForNames, waitForStatus, watch, WAIT_MS } from './support/pages.mjs';
import { BUILD_DIR, Stack } from './support/stack.mjs';

const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser-accounts');
const USERS = {
  a: { login: `ana${process.pid}`, displayName: 'Ana Lima', password: 'correct horse 1' },
  b: { login: `mina${process.pid}`, displayName: 'Mina Park', password: 'battery staple 2' },
};
const TITLE = `Calculus ${process.pid} #Math`;
// A "PDF" over the 16 KiB body limit of the other /api routes, holding every byte value.
const FILE_NAME = `Series notes ${process.pid}.pdf`;
const FILE_BYTES = Buffer.concat([
  Buffer.from('%PDF-1.7\n'),
  Buffer.from(Array.from({ length: 40000 }, (_, i) => (i * 131 + (i >> 8)) % 256)),
]);

const stack = new Stack(ARTIFACTS);
let context = null;
const pages = {};
const errors = {};

before(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Chromium starts while the daemons do: both mostly wait.
  const daemons = (async () => {
    await stack.startRedis();
    await stack.startMariaDb();
    await stack.startSfu();
    await stack.startControl(['--data-dir', path.join(ARTIFACTS, 'data')]);
  })();
  [context] = await Promise.all([launchChromium(path.join(ARTIFACTS, 'chromium-profile')), daemons]);
  pages.a = context.pages()[0] ?? (await context.newPage());
  pages.b = await context.newPage();
  watch(pages.a, 'a', ARTIFACTS, errors);
  watch(pages.b, 'b', ARTIFACTS, errors);
}, { timeout: 150000 });

after(async () => {
  for (const [key, page] of Object.entries(pages)) {
    await page
      .screenshot({ path: path.join(ARTIFACTS, `page-${key}-end.png`), fullPage: true })
      .catch((e) => console.error(`screenshot of page ${key} failed: ${e.message}`));
  }
  await context?.close().catch((e) => console.error(`closing Chromium: ${e.message}`));
  await stack.stop();
}, { timeout: 60000 });

test('a wrong password is refused in words; signing up leads to the room list', { timeout: 60000 }, async () => {
  const a = pages.a;
  await signUpAt(a, stack.url, USERS.a);
  assert.equal(await a.locator('#account-name').textContent(), USERS.a.displayName);
  // B tries a login that does not exist yet, then signs up.
  const b = pages.b;
  await b.goto(stack.url);
  await b.locator('#login-form').getByLabel('Login', { exact: true }).fill(USERS.b.login);
  await b.locator('#login-form').getByLabel('Password', { exact: true }).fill('not the password');
  await b.getByRole('button', { name: 'Log in' }).click();
  await waitForStatus(b, /Wrong login or password/);
  await signUp(b, USERS.b);
});

test('A creates a room and is in it; B finds it by #tag and by category and sees A there', { timeout: 60000 }, async () => {
  const a = pages.a;
  const form = a.locator('#create-form');
  await form.getByLabel('Title').fill(TITLE);
  await form.getByLabel('Category (optional)').fill('exams');
  await form.getByRole('button', { name: 'Create room' }).click();
  await waitForStatus(a, new RegExp(`In room Calculus ${process.pid}`));
  assert.match(new URL(a.url()).searchParams.get('room') ?? '', /.+/, 'the room id rides in the URL');

  const b = pages.b;
  await b.getByLabel('Search rooms').fill('#math');
  await b.getByRole('button', { name: 'Search' }).click();
  const card = b.locator('.room-card', { hasText: TITLE.replace(' #Math', '') });
  await card.waitFor({ timeout: WAIT_MS });
  assert.match(await card.locator('.room-tags').textContent(), /#math/);
  // A search that matches nothing shows no card.
  await b.getByLabel('Search rooms').fill('');
  await b.getByLabel('Category', { exact: true }).fill('no-such-category');
  await b.getByRole('button', { name: 'Search' }).click();
  await b.locator('#room-list-empty').waitFor({ state: 'visible', timeout: WAIT_MS });
  await b.getByLabel('Category', { exact: true }).fill('exams');
  await b.getByRole('button', { name: 'Search' }).click();
  await card.waitFor({ timeout: WAIT_MS });
  // The lobby lists who studies in public rooms now.
  await b.locator('#lobby-now .lobby-room', { hasText: USERS.a.displayName }).waitFor({ timeout: WAIT_MS });
  // Who is in the room now comes from the server's live directory.
  await b.waitForFunction(
    (name) => [...document.querySelectorAll('.room-card .room-people')].some((p) => p.textContent.includes(name)),
    USERS.a.displayName,
    { timeout: WAIT_MS },
  );
});

test('B joins from the list; both see each other and chat', { timeout: 60000 }, async () => {
  const b = pages.b;
  await b.locator('.room-card', { hasText: `Calculus ${process.pid}` }).getByRole('button', { name: /^Join/ }).click();
  await waitForStatus(b, new RegExp(`In room Calculus ${process.pid}`));
  await waitForNames(pages.a, [USERS.a.displayName, USERS.b.displayName]);
  await waitForNames(b, [USERS.a.displayName, USERS.b.displayName]);
  const text = `Integrals first, then series (${process.pid})`;
  await pages.a.getByLabel('Message', { exact: true }).fill(text);
  await pages.a.getByRole('button', { name: 'Send' }).click();
  await b.locator('#chat-log li', { hasText: text }).waitFor({ timeout: WAIT_MS });
});

test('A shares a file with the Share button; B sees the link in the chat and downloads the same bytes', { timeout: 60000 }, async () => {
  const [a, b] = [pages.a, pages.b];
  await a.locator('#share-button').waitFor({ state: 'visible', timeout: WAIT_MS });
  await a.locator('#file-input').setInputFiles({ name: FILE_NAME, mimeType: 'application/pdf', buffer: FILE_BYTES });
  await waitForStatus(a, new RegExp(`Shared ${FILE_NAME}`));
  const link = b.locator('#chat-log li a.attachment', { hasText: FILE_NAME });
  await link.waitFor({ timeout: WAIT_MS });
  const line = b.locator('#chat-log li', { has: b.locator('a.attachment', { hasText: FILE_NAME }) });
  assert.equal(await line.locator('.who').textContent(), USERS.a.displayName);
  const [download] = await Promise.all([b.waitForEvent('download', { timeout: WAIT_MS }), link.click()]);
  assert.equal(download.suggestedFilename(), FILE_NAME);
  const got = fs.readFileSync(await download.path());
  assert.ok(got.equals(FILE_BYTES), `downloaded ${got.length} bytes, not the ${FILE_BYTES.length} shared`);
  // On the server's disk by content hash, never by the name.
  const hash = crypto.createHash('sha256').update(FILE_BYTES).digest('hex');
  const stored = path.join(ARTIFACTS, 'data', 'materials', hash.slice(0, 2), hash);
  assert.ok(fs.readFileSync(stored).equals(FILE_BYTES), `${stored} holds the file`);
});

test('after a reload B is back in the room, still signed in, with the chat history', { timeout: 60000 }, async () => {
  const b = pages.b;
  await b.reload();
  await waitForStatus(b, new RegExp(`In room Calculus ${process.pid}`));
  assert.equal(await b.locator('#account-name').textContent(), USERS.b.displayName);
  await waitForNames(b, [USERS.a.displayName, USERS.b.displayName]);
  const line = b.locator('#chat-log li', { hasText: `Integrals first, then series (${process.pid})` });
  await line.waitFor({ timeout: WAIT_MS });
  assert.equal(await line.locator('.who').textContent(), USERS.a.displayName);
  // The shared file is in the history too, with its link.
  await b.locator('#chat-log li a.attachment', { hasText: FILE_NAME }).waitFor({ timeout: WAIT_MS });
});

test('B edits and deletes its own message; A sees both; A cannot edit B\'s', { timeout: 60000 }, async () => {
  const [a, b] = [pages.a, pages.b];
  const text = `<b>not bold</b> ${process.pid}`;
  await b.getByLabel('Message', { exact: true }).fill(text);
  await b.getByRole('button', { name: 'Send' }).click();
  const mine = b.locator('#chat-log li.mine', { hasText: text });
  await mine.getByRole('button', { name: 'Edit message' }).click(); // waits for the stored id
  const form = b.locator('#chat-log .edit-form'); // in place of the text while editing
  await form.getByLabel('Edited message').fill(`${text} (fixed)`);
  await form.getByRole('button', { name: 'Save' }).click();
  const theirs = a.locator('#chat-log li', { hasText: `${text} (fixed)` });
  await theirs.locator('.edited').waitFor({ timeout: WAIT_MS });
  assert.equal(await theirs.locator('.text b').count(), 0, 'text is shown as text, never as markup');
  assert.equal(await theirs.getByRole('button', { name: 'Edit message' }).count(), 0, 'not A\'s to edit');
  await b.locator('#chat-log li.mine', { hasText: `${text} (fixed)` }).getByRole('button', { name: 'Delete message' }).click();
  await a.locator('#chat-log li.deleted').waitFor({ timeout: WAIT_MS });
  assert.equal(await a.locator('#chat-log li', { hasText: `${text} (fixed)` }).count(), 0);
});

test('older messages load when B scrolls the chat to its top', { timeout: 60000 }, async () => {
  const b = pages.b;
  const room = new URL(b.url()).searchParams.get('room');
  // Sixty older messages written straight into the database, before everything said so far.
  const rows = Array.from({ length: 60 }, (_, i) =>
    `('${room}', NULL, 'pold', 'Archive', 'old message ${String(i).padStart(2, '0')}', ${1000 + i})`);
  await stack.sql('INSERT INTO carrel.chat_messages (room_id, user_id, participant, author_name, body, created_ms) ' +
    `VALUES ${rows.join(',')}`);
  // Their ids are the newest, so a fresh join gets 10..59 and pages back to 00..09.
  await b.reload();
  await waitForStatus(b, new RegExp(`In room Calculus ${process.pid}`));
  await b.locator('#chat-log li', { hasText: 'old message 59' }).waitFor({ timeout: WAIT_MS });
  assert.equal(await b.locator('#chat-log li', { hasText: 'old message 00' }).count(), 0, 'not in the first page');
  await b.locator('#chat-older').waitFor({ state: 'visible', timeout: WAIT_MS });
  await b.locator('#chat-log').evaluate((log) => {
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
  });
  await b.locator('#chat-log li', { hasText: 'old message 00' }).waitFor({ timeout: WAIT_MS });
  const order = await b.locator('#chat-log li[data-id] .text').allTextContents();
  const olds = order.filter((t) => t.startsWith('old message'));
  assert.deepEqual(olds, [...olds].sort(), 'in order, oldest first');
});

test('leaving goes back to the list; logging out to the sign-in form, and logging in again works', { timeout: 60000 }, async () => {
  const b = pages.b;
  await b.getByRole('button', { name: 'Leave' }).click();
  await b.locator('#rooms').waitFor({ state: 'visible', timeout: WAIT_MS });
  await waitForNames(pages.a, [USERS.a.displayName]);
  await b.getByRole('button', { name: 'Log out' }).click();
  await b.locator('#signin').waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.equal(await b.evaluate(() => sessionStorage.getItem('carrel.token')), null, 'the token is forgotten');
  await logIn(b, USERS.b);
  assert.equal(await b.locator('#account-name').textContent(), USERS.b.displayName);
});

test('a room with a password: B follows the link, is refused without the password, joins with it', { timeout: 60000 }, async () => {
  const a = pages.a;
  await a.getByRole('button', { name: 'Leave' }).click();
  await a.locator('#rooms').waitFor({ state: 'visible', timeout: WAIT_MS });
  const form = a.locator('#create-form');
  const title = `Quiet corner ${process.pid}`;
  await form.getByLabel('Title').fill(title);
  await form.getByLabel('Password (optional, private rooms)').fill('owl-secret');
  await form.getByRole('button', { name: 'Create room' }).click();
  await waitForStatus(a, new RegExp(`In room ${title}`)); // the owner needs no password
  const link = new URL(a.url());

  const b = pages.b;
  await b.goto(link.href);
  const card = b.locator('#invite-card');
  await card.locator('h2', { hasText: title }).waitFor({ timeout: WAIT_MS });
  assert.ok(await card.getByPlaceholder('Room password').isVisible(), 'the card asks for the password');
  await card.getByRole('button', { name: 'Join this room' }).click();
  await waitForStatus(b, /needs its password or invite link/);
  await card.waitFor({ state: 'visible', timeout: WAIT_MS });
  await card.getByPlaceholder('Room password').fill('owl-secret');
  await card.getByRole('button', { name: 'Join this room' }).click();
  await waitForStatus(b, new RegExp(`In room ${title}`));
  await waitForNames(a, [USERS.a.displayName, USERS.b.displayName]);
});

test('signing in to A\'s account in a third tab takes A\'s place; A is told why and stays out', { timeout: 60000 }, async () => {
  const c = await context.newPage();
  pages.c = c;
  watch(c, 'c', ARTIFACTS, errors);
  await c.goto(pages.a.url()); // the room's link
  await logIn(c, USERS.a);
  await c.locator('#invite-card').getByRole('button', { name: 'Join this room' }).click();
  await waitForStatus(c, /In room Quiet corner/);
  await waitForStatus(pages.a, /another tab or device/);
  assert.ok(await pages.a.locator('#rooms').isVisible(), 'A is back at the room list');
  await pages.a.waitForTimeout(3000); // a reconnection would have begun by now
  assert.ok(await pages.a.locator('#rooms').isVisible(), 'A did not reconnect by itself');
  await waitForNames(pages.b, [USERS.a.displayName, USERS.b.displayName]);
});

test('no uncaught errors in any page', () => {
  assert.deepEqual(errors, { a: [], b: [], c: [] });
});
