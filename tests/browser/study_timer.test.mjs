// Study time in the web client, through the real stack with MariaDB: the personal timer
// counts while studying and today's total keeps what was counted after a stop (and after a
// reload, from the server); the room timer shows its phase and counts down from the
// server's clock; a todo checked off is posted on the room board, which a reload shows again
// (the board's history, sent on entering).
//
// Run: CARREL_BUILD_DIR=build CARREL_SOURCE_DIR=. node --test tests/browser/study_timer.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './support/chromium.mjs';
import { createRoom, signUpAt, waitForStatus, watch, WAIT_MS } from './support/pages.mjs';
import { BUILD_DIR, Stack } from './support/stack.mjs';

const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser-study');
const USER = { login: `sam${process.pid}`, displayName: 'Sam Study', password: 'correct horse 3' };
const TITLE = `Focus ${process.pid}`;

const stack = new Stack(ARTIFACTS);
let context = null;
let page = null;
const errors = {};

// Seconds shown by a duration like "1m 05s" or "1h 02m 03s".
function seconds(text) {
  const m = /^(?:(\d+)h )?(\d+)m (\d+)s$/.exec(text.trim());
  assert.ok(m, `"${text}" is not a duration`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

async function shown(selector) {
  return seconds((await page.locator(selector).textContent()) ?? '');
}

async function waitUntilShown(selector, pred, what) {
  await page
    .waitForFunction(
      ({ selector, src }) => {
        const m = /^(?:(\d+)h )?(\d+)m (\d+)s$/.exec(document.querySelector(selector)?.textContent.trim() ?? '');
        if (!m) return false;
        const s = Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
        return new Function('s', `return ${src}`)(s);
      },
      { selector, src: pred },
      { timeout: WAIT_MS, polling: 100 },
    )
    .catch((e) => {
      throw new Error(`${what}: ${e.message}`);
    });
}

before(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const daemons = (async () => {
    await stack.startRedis();
    await stack.startMariaDb();
    await stack.startSfu();
    await stack.startControl();
  })();
  [context] = await Promise.all([launchChromium(path.join(ARTIFACTS, 'chromium-profile')), daemons]);
  page = context.pages()[0] ?? (await context.newPage());
  watch(page, 'a', ARTIFACTS, errors);
}, { timeout: 150000 });

after(async () => {
  await page?.screenshot({ path: path.join(ARTIFACTS, 'page-end.png'), fullPage: true }).catch(() => {});
  await context?.close().catch((e) => console.error(`closing Chromium: ${e.message}`));
  await stack.stop();
}, { timeout: 60000 });

test('the personal timer counts while studying and today keeps the total', { timeout: 90000 }, async () => {
  await signUpAt(page, stack.url, USER);
  await createRoom(page, TITLE);

  const toggle = page.locator('#study-toggle');
  await toggle.waitFor({ state: 'visible', timeout: WAIT_MS });
  await waitUntilShown('#study-today', 's === 0', 'today starts at zero');
  await toggle.click();
  await page.locator('#study-toggle[aria-pressed="true"]').waitFor({ timeout: WAIT_MS });
  // It counts on its own while studying.
  await waitUntilShown('#study-today', 's >= 3', 'today counts up while studying');
  await toggle.click();
  await page.locator('#study-toggle[aria-pressed="false"]').waitFor({ timeout: WAIT_MS });
  const stopped = await shown('#study-today');
  assert.ok(stopped >= 3, `today shows ${stopped} s after the stop`);
  await page.waitForTimeout(2000);
  assert.equal(await shown('#study-today'), stopped, 'today stands still after the stop');

  // The total is the server's: a reload shows it again, and the leaderboard names us.
  await page.reload();
  await waitForStatus(page, new RegExp(`In room ${TITLE}`));
  await waitUntilShown('#study-today', `s === ${stopped}`, 'today after a reload');
  await page.locator('#leaderboard li', { hasText: USER.displayName }).waitFor({ timeout: WAIT_MS });
  await page.locator('#study-calendar .day.today').waitFor({ timeout: WAIT_MS });

  // A goal of 1 minute is not met by a few seconds; 0 (any study) is, and starts a streak.
  await page.locator('#study-goal').fill('1');
  await page.getByRole('button', { name: 'Save goal' }).click();
  await page.locator('.study-streak', { hasText: 'Streak: 0 day(s); goal 1 min' }).waitFor({ timeout: WAIT_MS });
  await page.locator('#study-goal').fill('0');
  await page.getByRole('button', { name: 'Save goal' }).click();
  await page.locator('.study-streak', { hasText: 'Streak: 1 day(s); goal 0 min' }).waitFor({ timeout: WAIT_MS });
  await page.locator('#study-calendar .day.today.goal').waitFor({ timeout: WAIT_MS });
});

test('the room timer shows its phase and counts down from the server clock', { timeout: 60000 }, async () => {
  // Other panels have buttons of the same names (the moderators' "Set", …).
  const panel = page.locator('section.panel-room-timer');
  await page.locator('#timer-study').fill('2');
  await page.locator('#timer-break').fill('1');
  await page.locator('#timer-cycles').fill('1');
  await panel.getByRole('button', { name: 'Set', exact: true }).click();
  await page.locator('#room-timer-phase', { hasText: 'Not started' }).waitFor({ timeout: WAIT_MS });
  await panel.getByRole('button', { name: 'Start', exact: true }).click();
  await page.locator('#room-timer-phase', { hasText: 'Study 1/1' }).waitFor({ timeout: WAIT_MS });
  await waitUntilShown('#room-timer-countdown', 's <= 119 && s >= 100', 'the countdown runs');
  await panel.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.locator('#room-timer-phase', { hasText: '(paused)' }).waitFor({ timeout: WAIT_MS });
  const held = await shown('#room-timer-countdown');
  await page.waitForTimeout(1500);
  assert.equal(await shown('#room-timer-countdown'), held, 'a paused timer stands still');
  assert.deepEqual(errors.a ?? [], [], 'no page errors');
});

test('checking a todo off posts it on the room board, which stays after a reload', { timeout: 60000 }, async () => {
  const form = page.locator('#todo-form');
  await form.getByLabel('New item').fill('  chapter 3 ');
  await form.getByRole('button', { name: 'Add' }).click();
  const item = page.locator('#todo-list li', { hasText: 'chapter 3' });
  await item.waitFor({ timeout: WAIT_MS });
  await form.getByLabel('New item').fill('flash cards');
  await form.getByRole('button', { name: 'Add' }).click();
  await page.locator('#todo-list li', { hasText: 'flash cards' }).waitFor({ timeout: WAIT_MS });

  await item.getByRole('checkbox').check();
  await page.locator('#todo-list li.done', { hasText: 'chapter 3' }).waitFor({ timeout: WAIT_MS });
  const post = page.locator('#room-board li', { hasText: `${USER.displayName} finished chapter 3` });
  await post.waitFor({ timeout: WAIT_MS });
  await page.locator('#todo-list li', { hasText: 'flash cards' }).getByRole('button', { name: 'Remove flash cards' }).click();
  await page.locator('#todo-list li', { hasText: 'flash cards' }).waitFor({ state: 'detached', timeout: WAIT_MS });

  await page.reload();
  await waitForStatus(page, new RegExp(`In room ${TITLE}`));
  await post.waitFor({ timeout: WAIT_MS });
  assert.equal(await post.count(), 1, 'the post is shown once');
  await page.locator('#todo-list li.done', { hasText: 'chapter 3' }).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('#todo-list li').count(), 1, 'the removed item stays removed');
  assert.deepEqual(errors.a ?? [], [], 'no page errors');
});

test('a room that counts while the camera is on follows the camera', { timeout: 60000 }, async () => {
  await page.locator('#study-toggle[aria-pressed="false"]').waitFor({ timeout: WAIT_MS });
  // Chromium's fake camera is on: switching the room's mode starts counting by itself.
  await page.locator('#study-mode').selectOption('camera');
  await page.locator('#study-toggle[aria-pressed="true"]').waitFor({ timeout: WAIT_MS });
  const before = await shown('#study-today');
  await waitUntilShown('#study-today', `s >= ${before + 2}`, 'today counts while the camera is on');
  // Camera off: the interval closes (after the server's 5 s settle time).
  await page.getByRole('button', { name: 'Turn camera off' }).click();
  await page.locator('#study-toggle[aria-pressed="false"]').waitFor({ timeout: 20000 });
  await page.reload();
  await waitForStatus(page, new RegExp(`In room ${TITLE}`));
  await page.waitForFunction(() => document.querySelector('#study-mode')?.value === 'camera', null, { timeout: WAIT_MS });
  assert.deepEqual(errors.a ?? [], [], 'no page errors');
});
