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
import { participantNames, signUp, waitForNames, waitForStatus, watch, WAIT_MS } from './support/pages.mjs';
import { BUILD_DIR, Stack } from './support/stack.mjs';

const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser-recording');
const RECORDINGS = path.join(ARTIFACTS, 'recordings');
const USER = { login: `rec${process.pid}`, displayName: 'Rita Rec', password: 'correct horse 8' };
const JOINER = { login: `late${process.pid}`, displayName: 'Lou Late', password: 'correct horse 9' };
const TITLE = `Recorded ${process.pid}`;
const FIRST = 'first: look at the left board';
const SECOND = 'second: now the proof';
const THIRD = 'third: after the newcomer joined';

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

// Someone else opens the room while it records: told before joining, Cancel stays out,
// Join goes in. Returns the joiner's page (in the room).
async function joinerIsToldFirst() {
  const joiner = await context.newPage(); // its own sessionStorage: its own sign-in
  watch(joiner, 'joiner', ARTIFACTS, errors);
  await joiner.goto(stack.url);
  await joiner.locator('#signin').waitFor({ state: 'visible', timeout: WAIT_MS });
  await signUp(joiner, JOINER);
  // The room list already says so.
  const card = joiner.locator('.room-card', { hasText: TITLE });
  await card.locator('.badge.recording').waitFor({ state: 'visible', timeout: WAIT_MS });
  const notice = joiner.locator('#recording-notice');
  const open = joiner.getByRole('list', { name: 'Rooms' }).getByRole('button', { name: `Join ${TITLE}` });
  await open.click();
  await notice.waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.match((await notice.textContent()) ?? '', /This session is being recorded/);
  assert.equal(await joiner.locator('#room').isVisible(), false, 'not in the room while asked');

  await notice.getByRole('button', { name: 'Cancel' }).click();
  await notice.waitFor({ state: 'hidden', timeout: WAIT_MS });
  await joiner.waitForTimeout(2000);
  assert.equal(await joiner.locator('#room').isVisible(), false, 'Cancel does not enter the room');
  assert.ok(!(await participantNames(page)).includes(JOINER.displayName), 'Cancel does not join');

  await open.click();
  await notice.waitFor({ state: 'visible', timeout: WAIT_MS });
  await notice.getByRole('button', { name: 'Join', exact: true }).click();
  await waitForStatus(joiner, new RegExp(`In room ${TITLE}`));
  await waitForNames(page, [JOINER.displayName]);
  await joiner.locator('#recording-indicator').waitFor({ state: 'visible', timeout: WAIT_MS });
  return joiner;
}

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
  const joiner = await joinerIsToldFirst();
  await chat(THIRD);
  await page.waitForTimeout(2000);
  await page.getByRole('button', { name: 'Stop recording' }).click();
  await indicator.waitFor({ state: 'hidden', timeout: WAIT_MS });
  await joiner.close();

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
  assert.deepEqual(errors.joiner ?? [], [], 'no page errors (joiner)');
});

test('the review page plays the video, replays the chat beside it, and a click on a message seeks', { timeout: 90000 }, async () => {
  assert.ok(reviewUrl, 'the first test found the review link');
  // The video is fetched in ranges (preload="metadata", then as it plays and seeks), never
  // as one whole download.
  const videoAnswers = [];
  const onResponse = (r) => {
    if (/\/api\/v1\/recordings\/[^/]+\/video/.test(r.url())) videoAnswers.push(r.status());
  };
  page.on('response', onResponse);
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
  // 6.5 s of chat, then the joiner's sign-up and two tries (a few seconds on this machine).
  assert.ok(duration > 5 && duration < 60, `the video lasts ${duration} s`);

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

  // A fresh page (nothing buffered): a click on the message past the middle seeks there and
  // plays on from it.
  await page.reload();
  await page.locator('body[data-state="ready"]').waitFor({ timeout: WAIT_MS });
  await page.waitForFunction(() => document.getElementById('review-video').readyState >= 1, null, { timeout: WAIT_MS });
  const third = page.locator('#review-events li.chat', { hasText: THIRD });
  const t3 = Number(await third.getAttribute('data-t'));
  const total = await page.evaluate(() => document.getElementById('review-video').duration);
  assert.ok(t3 / 1000 > total / 2, `the third message (${t3} ms) lies past the middle of ${total} s`);
  await page.evaluate(() => { document.getElementById('review-video').muted = true; });
  await third.click();
  await page
    .waitForFunction((t) => {
      const v = document.getElementById('review-video');
      return !v.paused && !v.seeking && v.currentTime > t + 0.5;
    }, t3 / 1000, { timeout: WAIT_MS })
    .catch(async (e) => {
      const v = await page.evaluate(() => {
        const v = document.getElementById('review-video');
        return { t: v.currentTime, paused: v.paused, seeking: v.seeking, error: v.error?.message, ready: v.readyState };
      });
      throw new Error(`after a click on the message at ${t3} ms the video did not play on from it: ${JSON.stringify(v)}: ${e.message}`);
    });
  page.off('response', onResponse);
  assert.ok(videoAnswers.length > 0, 'the video was requested');
  assert.ok(videoAnswers.every((s) => s === 206), `the video was answered ${JSON.stringify(videoAnswers)}, not only ranges (206)`);
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
