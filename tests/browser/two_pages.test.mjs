// Two headless Chromium pages join one study room through the real stack (a private
// redis-server, carrel-sfu and carrel-control from the build folder) and must see each
// other's video, each other's name, and each other's chat. Around that: the page shows the
// server's typed error while no media node is up, drops whoever leaves, rejoins by itself
// when carrel-control restarts, and comes back by itself when the SFU tears its media down.
//
// Run: CARREL_BUILD_DIR=build CARREL_SOURCE_DIR=. node --test tests/browser/two_pages.test.mjs
// (ctest -L browser does this). Needs `npm ci` in tests/browser and /usr/bin/chromium.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ChildProcess, freePort, waitForTcp } from './support/ChildProcess.mjs';
import { launchChromium } from './support/chromium.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE_DIR = path.resolve(process.env.CARREL_SOURCE_DIR ?? path.join(here, '..', '..'));
const BUILD_DIR = path.resolve(process.env.CARREL_BUILD_DIR ?? path.join(SOURCE_DIR, 'build'));
const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser');

const WAIT_MS = 30000; // "within 30 s": the machine is small and shared
const ROOM = `study-${process.pid}`;
const NAMES = { a: 'Ana Lima', b: 'Mina Park' };

const procs = []; // started here, stopped here, by PID, in reverse order
let context = null;
let controlUrl = '';
let control = null; // carrel-control, restarted by one test
let controlArgv = [];
let sfuArgv = [];
let redisPort = 0;
const pages = {};
const pageErrors = { a: [], b: [] };

function isReady(line) {
  try {
    return JSON.parse(line).event === 'ready';
  } catch {
    return false;
  }
}

async function start(name, argv, env = {}) {
  const p = new ChildProcess(name, argv, path.join(ARTIFACTS, `${name}.log`), env);
  procs.push(p);
  await p.started;
  return p;
}

async function startStack() {
  const sfuBin = path.join(BUILD_DIR, 'sfu', 'carrel-sfu');
  const controlBin = path.join(BUILD_DIR, 'control', 'carrel-control');
  for (const bin of [sfuBin, controlBin]) {
    assert.ok(fs.existsSync(bin), `${bin} is missing: build carrel-sfu and carrel-control first`);
  }

  redisPort = await freePort();
  const redisDir = path.join(ARTIFACTS, 'redis');
  fs.mkdirSync(redisDir, { recursive: true });
  await start('redis', ['/usr/bin/redis-server', '--port', String(redisPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no', '--dir', redisDir, '--daemonize', 'no']);
  assert.ok(await waitForTcp(redisPort, 10000), 'redis-server did not listen within 10 s');

  const redisArgs = ['--redis-host', '127.0.0.1', '--redis-port', String(redisPort)];
  // Fault injection: the bus request debug.fail_peer breaks one connection (last test).
  sfuArgv = [sfuBin, ...redisArgs, '--node-id', 'sfu-browser', '--test-fault-injection'];

  const controlPort = await freePort();
  controlArgv = [controlBin, '--host', '127.0.0.1', '--port', String(controlPort), '--web-root',
    path.join(SOURCE_DIR, 'web'), ...redisArgs, '--node-id', 'ctl-browser'];
  return startControl();
}

// Started by the first test, once the page has seen the room refused for want of it.
async function startSfu() {
  const sfu = await start('carrel-sfu', sfuArgv, { GST_DEBUG: process.env.GST_DEBUG ?? 'carrel*:4,WARNING' });
  assert.ok(await sfu.waitForLine(isReady, WAIT_MS), `carrel-sfu printed no ready line; see ${sfu.log}`);
}

async function startControl() {
  control = await start('carrel-control', controlArgv);
  const ready = await control.waitForLine(isReady, WAIT_MS);
  assert.ok(ready, `carrel-control printed no ready line; see ${control.log}`);
  return JSON.parse(ready).url ?? `http://127.0.0.1:${controlArgv[4]}/`;
}

function watch(page, key) {
  const log = fs.createWriteStream(path.join(ARTIFACTS, `page-${key}-console.log`));
  page.on('console', (m) => log.write(`[${new Date().toISOString()}] ${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => {
    pageErrors[key].push(e.message);
    log.write(`[${new Date().toISOString()}] pageerror: ${e.stack ?? e.message}\n`);
  });
}

// The remote participant's tile (caption = their name) in this page.
const remoteVideo = (page, name) => page.locator('#grid figure.tile.remote', { hasText: name }).locator('video');

async function assertPlaying(page, name) {
  const video = remoteVideo(page, name);
  await video.waitFor({ state: 'attached', timeout: WAIT_MS });
  await page
    .waitForFunction(
      (v) => v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > 0,
      await video.elementHandle(),
      { timeout: WAIT_MS, polling: 250 },
    )
    .catch(async (e) => {
      const status = await page.locator('#status').textContent();
      throw new Error(`${name}'s video did not play within ${WAIT_MS / 1000} s (page status: "${status}"; ` +
        `see the page's console log in ${ARTIFACTS}): ${e.message}`);
    });
  // Still playing: more frames come (within the generous wait; a loaded machine may pause
  // decoding for a moment, which is not what this checks).
  const frames = () => video.evaluate((v) => v.getVideoPlaybackQuality().totalVideoFrames);
  const first = await frames();
  const more = await page
    .waitForFunction((args) => args[0].getVideoPlaybackQuality().totalVideoFrames > args[1],
      [await video.elementHandle(), first], { timeout: WAIT_MS, polling: 250 })
    .then(() => true, () => false);
  const width = await video.evaluate((v) => v.videoWidth);
  assert.ok(width > 0, `${name}'s video has no width`);
  assert.ok(more, `${name}'s video stopped at ${first} frames for ${WAIT_MS / 1000} s`);
}

async function participantNames(page) {
  return page.locator('#participants li .name').allTextContents();
}

before(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const url = await startStack();
  context = await launchChromium(path.join(ARTIFACTS, 'chromium-profile'));
  pages.a = context.pages()[0] ?? (await context.newPage());
  pages.b = await context.newPage();
  watch(pages.a, 'a');
  watch(pages.b, 'b');
  controlUrl = url;
}, { timeout: 120000 });

after(async () => {
  for (const [key, page] of Object.entries(pages)) {
    await page
      .screenshot({ path: path.join(ARTIFACTS, `page-${key}-end.png`), fullPage: true })
      .catch((e) => console.error(`screenshot of page ${key} failed: ${e.message}`));
  }
  await context?.close().catch((e) => console.error(`closing Chromium: ${e.message}`));
  while (procs.length) await procs.pop().stop();
}, { timeout: 60000 });

test('A joins by room name; with no media node it is told so, and joins once there is one', { timeout: 90000 }, async () => {
  await pages.a.goto(controlUrl);
  await pages.a.getByLabel('Your name').fill(NAMES.a);
  await pages.a.getByLabel('Room', { exact: true }).fill(ROOM);
  await pages.a.getByRole('button', { name: /join/i }).click();
  await pages.a.locator('#status', { hasText: 'media_unavailable' }).waitFor({ timeout: WAIT_MS });
  await startSfu();
  await pages.a.getByText(`In room ${ROOM}`).waitFor({ timeout: WAIT_MS });
});

test('B joins by the link in A\'s address bar', { timeout: 60000 }, async () => {
  const link = new URL(pages.a.url());
  assert.equal(link.searchParams.get('room'), ROOM, 'the page keeps the room in its URL');
  await pages.b.goto(link.href);
  assert.equal(await pages.b.getByLabel('Room', { exact: true }).inputValue(), ROOM, 'the link fills in the room');
  await pages.b.getByLabel('Your name').fill(NAMES.b);
  await pages.b.getByRole('button', { name: /join/i }).click();
  await pages.b.getByText(`In room ${ROOM}`).waitFor({ timeout: WAIT_MS });
});

test('each page lists both names', { timeout: 60000 }, async () => {
  for (const page of [pages.a, pages.b]) {
    await page.waitForFunction(
      (names) => {
        const shown = [...document.querySelectorAll('#participants li .name')].map((e) => e.textContent);
        return names.every((n) => shown.includes(n));
      },
      Object.values(NAMES),
      { timeout: WAIT_MS },
    );
    assert.deepEqual((await participantNames(page)).sort(), Object.values(NAMES).sort());
  }
});

test('each page plays the other\'s video', { timeout: 120000 }, async () => {
  await assertPlaying(pages.a, NAMES.b);
  await assertPlaying(pages.b, NAMES.a);
});

test('a chat message typed in A shows up in B, with A\'s name', { timeout: 60000 }, async () => {
  const text = `Who has the notes for chapter ${process.pid}?`;
  await pages.a.getByLabel('Message', { exact: true }).fill(text);
  await pages.a.getByRole('button', { name: 'Send' }).click();
  const line = pages.b.locator('#chat-log li', { hasText: text });
  await line.waitFor({ timeout: WAIT_MS });
  assert.equal(await line.locator('.who').textContent(), NAMES.a);
  assert.match(await line.locator('time').textContent(), /\d/);
  // The sender sees its own message back from the server, too.
  await pages.a.locator('#chat-log li', { hasText: text }).waitFor({ timeout: WAIT_MS });
  for (const [key, page] of Object.entries(pages)) {
    await page.screenshot({ path: path.join(ARTIFACTS, `page-${key}.png`), fullPage: true });
  }
});

test('when B leaves, A\'s list and grid drop B', { timeout: 60000 }, async () => {
  await pages.b.getByRole('button', { name: 'Leave' }).click();
  await pages.b.getByRole('button', { name: /join/i }).waitFor({ timeout: WAIT_MS });
  await pages.a.waitForFunction(
    () => document.querySelectorAll('#participants li').length === 1,
    null,
    { timeout: WAIT_MS },
  );
  assert.deepEqual(await participantNames(pages.a), [NAMES.a]);
  assert.equal(await pages.a.locator('#grid figure.tile.remote').count(), 0);
});

test('A rejoins by itself after the control plane restarts', { timeout: 90000 }, async () => {
  const old = control;
  await old.stop();
  procs.splice(procs.indexOf(old), 1);
  await pages.a.getByText(/trying again/).waitFor({ timeout: WAIT_MS });
  const banner = pages.a.locator('#reconnect-banner');
  assert.ok(await banner.isVisible(), 'the stage says the connection is lost');
  await startControl();
  await pages.a.getByText(`In room ${ROOM}`).waitFor({ timeout: WAIT_MS });
  await banner.waitFor({ state: 'hidden', timeout: WAIT_MS });
  // B comes back too: A must see B's video again over the new session.
  await pages.b.getByRole('button', { name: /join/i }).click();
  await assertPlaying(pages.a, NAMES.b);
  await assertPlaying(pages.b, NAMES.a);
});

function redis(...args) {
  return execFileSync('/usr/bin/redis-cli', ['-p', String(redisPort), ...args], { encoding: 'utf8' });
}

// The participant ids in the room, by name, from control's room directory in Redis.
function participantIds() {
  const lines = redis('HGETALL', `carrel:room:${ROOM}:participants`).trim().split('\n');
  const ids = {};
  for (let i = 0; i + 1 < lines.length; i += 2) ids[JSON.parse(lines[i + 1]).name] = lines[i];
  return ids;
}

test('when the SFU tears A\'s media down, A comes back by itself and B sees A again', { timeout: 120000 }, async () => {
  const before = participantIds()[NAMES.a];
  assert.ok(before, `A is not in the room directory: ${JSON.stringify(participantIds())}`);
  // A real element error inside A's publish connection, as a broken element would post.
  const request = {
    v: 1, kind: 'request', from: 'browser-test', id: `fail-${process.pid}`, method: 'debug.fail_peer',
    data: { room: ROOM, peer: before, conn: 'publish' },
  };
  assert.equal(redis('PUBLISH', 'carrel:bus:sfu-browser', JSON.stringify(request)).trim(), '1');
  await pages.a.getByText(/Media lost.*trying again/).waitFor({ timeout: WAIT_MS });
  await pages.a.getByText(`In room ${ROOM}`).waitFor({ timeout: WAIT_MS });
  assert.ok(participantIds()[NAMES.a], 'A is in the room again');
  await assertPlaying(pages.b, NAMES.a);
  await assertPlaying(pages.a, NAMES.b);
});

test('no uncaught errors in either page', () => {
  assert.deepEqual(pageErrors, { a: [], b: [] });
});
