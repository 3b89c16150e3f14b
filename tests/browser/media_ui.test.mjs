// The room's media in the web client, three headless Chromium pages through the real stack
// (no database: guests): a paged grid (one tile per page here) receives video only for the
// tile it shows, counted from the page's own RTCPeerConnection stats; a screen share is shown
// large on the others' pages with the cameras in a strip, and goes away when it stops; mute
// marks follow the microphone button.
//
// Run: CARREL_BUILD_DIR=build CARREL_SOURCE_DIR=. node --test tests/browser/media_ui.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './support/chromium.mjs';
import { waitForNames, waitForStatus, watch, WAIT_MS } from './support/pages.mjs';
import { BUILD_DIR, Stack } from './support/stack.mjs';

const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser-media');
const ROOM = `media-${process.pid}`;
const NAMES = { a: 'Ana Lima', b: 'Mina Park', c: 'Chen Wei' };

const stack = new Stack(ARTIFACTS);
let context = null;
const pages = {};
const errors = {};

// Runs in every page before its scripts: one tile per page, and every RTCPeerConnection
// kept where the test can read its stats.
function instrument() {
  localStorage.setItem('carrel.tilesPerPage', '1');
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
}

// How many inbound video streams of the page's open connections received bytes over ~1.5 s.
async function videoStreamsFlowing(page) {
  return page.evaluate(async () => {
    const bytes = async () => {
      const out = new Map();
      for (const [i, pc] of window.__pcs.entries()) {
        if (pc.connectionState === 'closed') continue;
        for (const s of (await pc.getStats()).values()) {
          if (s.type === 'inbound-rtp' && s.kind === 'video') out.set(`${i}/${s.ssrc}`, s.bytesReceived);
        }
      }
      return out;
    };
    const first = await bytes();
    await new Promise((r) => setTimeout(r, 1500));
    const second = await bytes();
    return [...second].filter(([k, v]) => v > (first.get(k) ?? 0)).length;
  });
}

async function waitForFlowing(page, want, what) {
  const deadline = Date.now() + WAIT_MS;
  let n = -1;
  while (Date.now() < deadline) {
    n = await videoStreamsFlowing(page);
    if (n === want) return;
  }
  assert.fail(`${what}: ${n} video streams flowing, want ${want}`);
}

async function waitPlaying(page, videoLocator, what) {
  const video = await videoLocator.elementHandle({ timeout: WAIT_MS });
  await page
    .waitForFunction((v) => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0, video, {
      timeout: WAIT_MS,
      polling: 250,
    })
    .catch((e) => assert.fail(`${what} did not play: ${e.message}`));
  const frames = () => video.evaluate((v) => v.getVideoPlaybackQuality().totalVideoFrames);
  const first = await frames();
  await page.waitForFunction((args) => args[0].getVideoPlaybackQuality().totalVideoFrames > args[1], [video, first], {
    timeout: WAIT_MS,
  }).catch((e) => assert.fail(`${what} stopped at ${first} frames: ${e.message}`));
}

const visibleRemoteNames = (page) =>
  page.locator('#grid figure.tile.remote:visible figcaption').allTextContents();

before(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const daemons = (async () => {
    await stack.startRedis();
    await stack.startSfu();
    await stack.startControl();
  })();
  [context] = await Promise.all([launchChromium(path.join(ARTIFACTS, 'chromium-profile')), daemons]);
  await context.addInitScript(instrument);
  pages.a = context.pages()[0] ?? (await context.newPage());
  pages.b = await context.newPage();
  pages.c = await context.newPage();
  for (const key of Object.keys(pages)) watch(pages[key], key, ARTIFACTS, errors);
}, { timeout: 120000 });

after(async () => {
  for (const [key, page] of Object.entries(pages)) {
    await page
      .screenshot({ path: path.join(ARTIFACTS, `page-${key}-end.png`), fullPage: true })
      .catch((e) => console.error(`screenshot of page ${key} failed: ${e.message}`));
  }
  await context?.close().catch((e) => console.error(`closing Chromium: ${e.message}`));
  await stack.stop();
}, { timeout: 60000 });

test('three guests join one room', { timeout: 90000 }, async () => {
  for (const key of ['a', 'b', 'c']) {
    const page = pages[key];
    await page.goto(`${stack.url}?room=${ROOM}`);
    await page.getByLabel('Your name').fill(NAMES[key]);
    await page.getByRole('button', { name: /join/i }).click();
    await waitForStatus(page, new RegExp(`In room ${ROOM}`));
  }
  for (const page of Object.values(pages)) await waitForNames(page, Object.values(NAMES));
});

test('the paged grid shows one other per page and receives only that one\'s video', { timeout: 90000 }, async () => {
  const b = pages.b;
  await b.locator('#grid-pager').waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.equal(await b.locator('#page-label').textContent(), 'Page 1 of 2');
  const [first] = await visibleRemoteNames(b);
  assert.deepEqual(await visibleRemoteNames(b), [first], 'one remote tile on the page');
  await waitPlaying(b, b.locator('#grid figure.tile.remote:visible video'), `${first}'s camera on page 1`);
  await waitForFlowing(b, 1, 'page 1');

  await b.getByRole('button', { name: 'Next page' }).click();
  assert.equal(await b.locator('#page-label').textContent(), 'Page 2 of 2');
  const [second] = await visibleRemoteNames(b);
  assert.notEqual(second, first, 'the next page shows the other participant');
  await waitPlaying(b, b.locator('#grid figure.tile.remote:visible video'), `${second}'s camera on page 2`);
  await waitForFlowing(b, 1, 'page 2');
  await b.getByRole('button', { name: 'Previous page' }).click();
});

test('a screen share shows large on the others\' pages, cameras in a strip, and ends', { timeout: 90000 }, async () => {
  const [a, b] = [pages.a, pages.b];
  await a.getByRole('button', { name: 'Share screen' }).click();
  await a.getByRole('button', { name: 'Stop sharing' }).waitFor({ timeout: WAIT_MS });
  await a.locator('#screen-stage', { hasText: 'You are sharing your screen' }).waitFor({ timeout: WAIT_MS });

  const stage = b.locator('#screen-stage');
  await stage.locator('.screen-caption', { hasText: `${NAMES.a} is sharing a screen` }).waitFor({ timeout: WAIT_MS });
  await waitPlaying(b, stage.locator('video'), `${NAMES.a}'s screen on B`);
  const size = await stage.locator('video').evaluate((v) => [v.videoWidth, v.videoHeight]);
  assert.ok(size[0] >= 640, `the screen arrives sharp enough to read: ${size}`);
  assert.ok(await b.locator('#grid.strip').isVisible(), 'the cameras move to a strip');
  const stageBox = await stage.boundingBox();
  const tileBox = await b.locator('#grid figure.tile.remote:visible').boundingBox();
  assert.ok(stageBox.width > 2 * tileBox.width, `the screen is large (${stageBox.width}) beside a tile (${tileBox.width})`);

  await a.getByRole('button', { name: 'Stop sharing' }).click();
  await stage.waitFor({ state: 'hidden', timeout: WAIT_MS });
  assert.equal(await b.locator('#grid.strip').count(), 0, 'the grid is back');
});

test('muting the microphone marks the tile and the list on the others\' pages', { timeout: 60000 }, async () => {
  const [a, c] = [pages.a, pages.c];
  await a.getByRole('button', { name: 'Mute microphone' }).click();
  const tile = c.locator('#grid figure.tile.remote', { hasText: NAMES.a });
  await tile.locator('.mark.mic-muted').waitFor({ state: 'attached', timeout: WAIT_MS });
  await c.locator('#participants li', { hasText: NAMES.a }).locator('.media', { hasText: 'mic muted' })
    .waitFor({ timeout: WAIT_MS });
  await a.getByRole('button', { name: 'Unmute microphone' }).click();
  await tile.locator('.mark.mic-muted').waitFor({ state: 'detached', timeout: WAIT_MS });
});

test('no uncaught errors in any page', () => {
  assert.deepEqual(errors, { a: [], b: [], c: [] });
});
