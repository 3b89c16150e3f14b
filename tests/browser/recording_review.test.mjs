// Recording in the web client, through the real stack (MariaDB, carrel-sfu with a recordings
// folder, carrel-control rendering with carrel-render): the owner records the room from the
// recording panel while the page's fake camera and microphone publish and two chat messages
// are sent; the panel shows the render's progress, then a link to the review page. The review
// page plays the video (currentTime advances), lists the chat beside it, and clicking a chat
// message seeks the video there. A share link opens the review page without an account; an
// expired one is refused.
//
// Run: CARREL_BUILD_DIR=build CARREL_SOURCE_DIR=. node --test tests/browser/recording_review.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './support/chromium.mjs';
import { signUp, waitForStatus, watch, WAIT_MS } from './support/pages.mjs';
import { BUILD_DIR, Stack } from './support/stack.mjs';

const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser-recording');
const RECORDINGS = path.join(ARTIFACTS, 'recordings');
const USER = { login: `rec${process.pid}`, displayName: 'Rita Rec', password: 'correct horse 8' };
const TITLE = `Recorded ${process.pid}`;
const FIRST = 'first: look at the left board';
const SECOND = 'second: now the proof';

const stack = new Stack(ARTIFACTS);
let context = null;
let page = null;
const errors = {};
let reviewUrl = '';

before(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(RECORDINGS, { recursive: true });
  const daemons = (async () => {
    await stack.startRedis();
    await stack.startMariaDb();
    await stack.startSfu('sfu-browser', ['--recordings-dir', RECORDINGS]);
    await stack.startControl(['--recordings-dir', RECORDINGS, '--render-size', '320x180', '--render-fps', '10']);
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

async function chat(text) {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.locator('#chat-log li', { hasText: text }).waitFor({ timeout: WAIT_MS });
}

test('the owner records; the recordings panel shows the render progress, then the review link', { timeout: 180000 }, async () => {
  await page.goto(stack.url);
  await page.locator('#signin').waitFor({ state: 'visible', timeout: WAIT_MS });
  await signUp(page, USER);
  const form = page.locator('#create-form');
  await form.getByLabel('Title').fill(TITLE);
  await form.getByRole('button', { name: 'Create room' }).click();
  await waitForStatus(page, new RegExp(`In room ${TITLE}`));
  // Our own camera is published (the SFU records published tracks only).
  await page.waitForTimeout(3000);

  // Every state and progress text the panel shows, as it shows them.
  await page.evaluate(() => {
    window.recordingStates = [];
    const list = document.getElementById('recordings');
    new MutationObserver(() => {
      for (const li of list.querySelectorAll('li')) {
        const text = `${li.dataset.state}|${li.querySelector('.rec-progress')?.textContent ?? ''}`;
        if (window.recordingStates.at(-1) !== text) window.recordingStates.push(text);
      }
    }).observe(list, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  const indicator = page.locator('#recording-indicator');
  assert.equal(await indicator.isVisible(), false, 'no indicator before recording');
  await page.getByRole('button', { name: 'Start recording' }).click();
  await indicator.waitFor({ state: 'visible', timeout: WAIT_MS });
  await page.waitForTimeout(1500);
  await chat(FIRST);
  await page.waitForTimeout(3000);
  await chat(SECOND);
  await page.waitForTimeout(2000);
  await page.getByRole('button', { name: 'Stop recording' }).click();
  await indicator.waitFor({ state: 'hidden', timeout: WAIT_MS });

  const link = page.locator('#recordings li[data-state="ready"] a');
  await link.waitFor({ timeout: 120000 }).catch(async (e) => {
    const states = await page.evaluate(() => window.recordingStates);
    throw new Error(`no ready recording in the panel (states: ${JSON.stringify(states)}): ${e.message}`);
  });
  const states = await page.evaluate(() => window.recordingStates);
  assert.ok(states.some((s) => /^rendering\|rendering \d+%/.test(s)), `the panel showed no render progress: ${JSON.stringify(states)}`);
  assert.ok(/\|ready$/.test(states.at(-1)), JSON.stringify(states));
  reviewUrl = new URL(await link.getAttribute('href'), stack.url).href;
  assert.deepEqual(errors.a ?? [], [], 'no page errors');
});

test('the review page plays the video, replays the chat beside it, and a click on a message seeks', { timeout: 90000 }, async () => {
  assert.ok(reviewUrl, 'the first test found the review link');
  // Same tab: the sign-in (sessionStorage) comes along.
  await page.goto(reviewUrl);
  await page.locator('body[data-state="ready"]').waitFor({ timeout: WAIT_MS });
  const first = page.locator('#review-events li.chat', { hasText: FIRST });
  const second = page.locator('#review-events li.chat', { hasText: SECOND });
  await first.waitFor({ timeout: WAIT_MS });
  await second.waitFor({ timeout: WAIT_MS });
  const t1 = Number(await first.getAttribute('data-t'));
  const t2 = Number(await second.getAttribute('data-t'));
  assert.ok(t1 >= 500 && t2 - t1 >= 2000, `chat times ${t1} ms and ${t2} ms do not follow the session`);

  // Plays: currentTime advances.
  await page.evaluate(async () => {
    const v = document.getElementById('review-video');
    v.muted = true;
    await v.play();
  });
  await page
    .waitForFunction(() => document.getElementById('review-video').currentTime > 1, null, { timeout: WAIT_MS })
    .catch(async (e) => {
      const v = await page.evaluate(() => {
        const v = document.getElementById('review-video');
        return { t: v.currentTime, ready: v.readyState, net: v.networkState, paused: v.paused, error: v.error?.message,
          duration: v.duration, src: v.currentSrc, buffered: v.buffered.length ? v.buffered.end(0) : 0 };
      });
      throw new Error(`the video does not play: ${JSON.stringify(v)}: ${e.message}`);
    });
  const duration = await page.evaluate(() => document.getElementById('review-video').duration);
  assert.ok(duration > 5 && duration < 12, `the video lasts ${duration} s`);

  // The second message, later in the session: a click seeks there (and keeps playing).
  await page.evaluate(() => document.getElementById('review-video').pause());
  await page.evaluate(() => { document.getElementById('review-video').currentTime = 0; });
  await second.click();
  await page
    .waitForFunction((t) => Math.abs(document.getElementById('review-video').currentTime - t) < 1.5, t2 / 1000, { timeout: WAIT_MS })
    .catch(async (e) => {
      const now = await page.evaluate(() => document.getElementById('review-video').currentTime);
      throw new Error(`clicking the message at ${t2} ms left the video at ${now} s: ${e.message}`);
    });
  // Messages after the playhead are shown as still to come.
  await first.click();
  await page.waitForFunction(
    (t) => document.getElementById('review-video').currentTime < t,
    t2 / 1000,
    { timeout: WAIT_MS },
  );
  await page.locator('#review-events li.chat.future', { hasText: SECOND }).waitFor({ timeout: WAIT_MS });
  assert.deepEqual(errors.a ?? [], [], 'no page errors');
});

test('a share link opens the review page without an account; an expired one is refused', { timeout: 60000 }, async () => {
  const id = new URL(reviewUrl).searchParams.get('recording');
  const share = async (ttl) => page.evaluate(async ({ id, ttl }) => {
    const r = await fetch(`/api/v1/recordings/${id}/share`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sessionStorage.getItem('carrel.token')}` },
      body: JSON.stringify({ ttl_s: ttl }),
    });
    return r.json();
  }, { id, ttl });
  const good = await share(3600);
  const shortLived = await share(1);
  assert.ok(good.url && shortLived.url, JSON.stringify(good));

  // A new tab has its own (empty) sessionStorage: no sign-in, only the link.
  const guest = await context.newPage();
  watch(guest, 'guest', ARTIFACTS, errors);
  await guest.goto(new URL(good.url, stack.url).href);
  await guest.locator('body[data-state="ready"]').waitFor({ timeout: WAIT_MS });
  await guest.locator('#review-events li.chat', { hasText: FIRST }).waitFor({ timeout: WAIT_MS });
  await guest.waitForFunction(() => document.getElementById('review-video').duration > 5, null, { timeout: WAIT_MS });

  await guest.waitForTimeout(2000);
  await guest.goto(new URL(shortLived.url, stack.url).href);
  await guest.locator('body[data-state="refused"]').waitFor({ timeout: WAIT_MS });
  assert.match((await guest.locator('#review-status').textContent()) ?? '', /expired/);
  await guest.close();
  assert.deepEqual(errors.guest ?? [], [], 'no page errors');
});
