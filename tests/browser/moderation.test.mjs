// Moderation in the web client, through the real stack with MariaDB: the room's owner deletes
// a member's chat message (the member sees it deleted by a moderator and has no such button
// on the owner's message), mutes the member's microphone from the menu on the member's tile
// (the member's page shows the moderator's mark and will not unmute), and kicks the member
// with a reason (the member's page says so and leaves the room); a member sees no menu. The
// waiting room holds the member until the owner admits him from the panel; a locked room
// refuses him. Then the admin page lists the room, reads the audit log and force-closes the
// room, which the owner's page sees.
//
// Run: CARREL_BUILD_DIR=build CARREL_SOURCE_DIR=. node --test tests/browser/moderation.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { launchChromium } from './support/chromium.mjs';
import { createRoom, joinFromList, signUpAt, waitForNames, waitForStatus, watch, WAIT_MS } from './support/pages.mjs';
import { BUILD_DIR, Stack } from './support/stack.mjs';

const ARTIFACTS = path.join(BUILD_DIR, 'test-artifacts', 'browser-moderation');
const USERS = {
  owner: { login: `olga${process.pid}`, displayName: 'Olga Owner', password: 'correct horse 1' },
  member: { login: `max${process.pid}`, displayName: 'Max Power', password: 'battery staple 2' },
};
const ADMIN = { login: 'root_admin', password: 'admin-password-1' };
const TITLE = `Quiet hall ${process.pid}`;

const stack = new Stack(ARTIFACTS);
let context = null;
const pages = {};
const errors = {};

before(async () => {
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const pw = path.join(ARTIFACTS, 'admin.pw');
  fs.writeFileSync(pw, `${ADMIN.password}\n`);
  const daemons = (async () => {
    await stack.startRedis();
    await stack.startMariaDb();
    await stack.startSfu();
    await stack.startControl(['--admin-login', ADMIN.login, '--admin-password-file', pw]);
  })();
  [context] = await Promise.all([launchChromium(path.join(ARTIFACTS, 'chromium-profile')), daemons]);
  pages.owner = context.pages()[0] ?? (await context.newPage());
  pages.member = await context.newPage();
  watch(pages.owner, 'owner', ARTIFACTS, errors);
  watch(pages.member, 'member', ARTIFACTS, errors);
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

const memberTile = (page) => page.locator('#grid .tile.remote', { hasText: USERS.member.displayName });

test('the owner and a member are in one room; only the owner has a moderation menu', { timeout: 90000 }, async () => {
  const { owner, member } = pages;
  await signUpAt(owner, stack.url, USERS.owner);
  await createRoom(owner, TITLE);
  await owner.locator('#mod-panel').waitFor({ state: 'visible', timeout: WAIT_MS });

  await signUpAt(member, stack.url, USERS.member);
  await joinFromList(member, TITLE);
  await waitForNames(owner, [USERS.owner.displayName, USERS.member.displayName]);
  await waitForNames(member, [USERS.owner.displayName, USERS.member.displayName]);

  await memberTile(owner).getByLabel(`Moderate ${USERS.member.displayName}`).waitFor({ timeout: WAIT_MS });
  // The member outranks nobody: no menu on the owner's tile, no moderators' panel.
  const ownerTile = member.locator('#grid .tile.remote', { hasText: USERS.owner.displayName });
  await ownerTile.waitFor({ timeout: WAIT_MS });
  assert.equal(await ownerTile.locator('.mod-menu').count(), 0);
  assert.equal(await member.locator('#mod-panel').isHidden(), true);
});

test('the owner deletes the member\'s chat message; the member may not delete the owner\'s', { timeout: 60000 }, async () => {
  const { owner, member } = pages;
  const text = `off-topic ${process.pid}`;
  await member.getByLabel('Message', { exact: true }).fill(text);
  await member.getByRole('button', { name: 'Send' }).click();
  const ownerNote = `back to work ${process.pid}`;
  await owner.getByLabel('Message', { exact: true }).fill(ownerNote);
  await owner.getByRole('button', { name: 'Send' }).click();
  await member.locator('#chat-log li', { hasText: ownerNote }).waitFor({ timeout: WAIT_MS });
  // The member sees no delete button on the owner's message.
  const theirs = member.locator('#chat-log li', { hasText: ownerNote });
  assert.equal(await theirs.getByRole('button', { name: /as moderator/ }).count(), 0);

  const line = owner.locator('#chat-log li', { hasText: text });
  await line.getByRole('button', { name: `Delete ${USERS.member.displayName}'s message as moderator` }).click();
  await member.locator('#chat-log li.deleted', { hasText: 'message deleted by a moderator' }).waitFor({ timeout: WAIT_MS });
  assert.equal(await member.locator('#chat-log li', { hasText: text }).count(), 0);
  await owner.locator('#chat-log li.deleted', { hasText: 'message deleted by a moderator' }).waitFor({ timeout: WAIT_MS });
});

test('the owner mutes the member from the menu: the member sees it and cannot unmute', { timeout: 60000 }, async () => {
  const { owner, member } = pages;
  await memberTile(owner).getByLabel(`Moderate ${USERS.member.displayName}`).click();
  await owner.getByRole('button', { name: `Mute ${USERS.member.displayName}'s microphone` }).click();

  const mark = member.locator('#grid .tile.self .mod-mark');
  await mark.waitFor({ timeout: WAIT_MS });
  assert.match(await mark.getAttribute('aria-label'), /muted by a moderator: microphone/);
  await waitForStatus(member, /A moderator muted your microphone/);
  const mic = member.locator('#mic-button');
  await member.waitForFunction(() => document.getElementById('mic-button').textContent === 'Unmute microphone', null, {
    timeout: WAIT_MS,
  });
  await mic.click();
  await waitForStatus(member, /only a moderator can allow it again/);
  assert.equal(await mic.textContent(), 'Unmute microphone', 'the microphone stays muted');
  // The owner's page marks the member's tile too, and the menu now offers to allow it.
  await memberTile(owner).locator('.mod-mark').waitFor({ timeout: WAIT_MS });
  await member.locator('#chat-log li', { hasText: `muted ${USERS.member.displayName}'s microphone` }).waitFor({
    timeout: WAIT_MS,
  });
});

test('the owner kicks the member with a reason: the member is told and out of the room', { timeout: 60000 }, async () => {
  const { owner, member } = pages;
  const tile = memberTile(owner);
  const menu = tile.locator('.mod-menu');
  if (!(await menu.evaluate((d) => d.open))) await tile.getByLabel(`Moderate ${USERS.member.displayName}`).click();
  await tile.getByLabel(`Reason for removing ${USERS.member.displayName}`).fill('too loud for a library');
  await tile.getByRole('button', { name: `Kick ${USERS.member.displayName}` }).click();

  await waitForStatus(member, /A moderator removed you from the room: too loud for a library/);
  await member.locator('#rooms').waitFor({ state: 'visible', timeout: WAIT_MS });
  assert.equal(await member.locator('#room').isHidden(), true);
  await owner.waitForFunction(
    (name) => ![...document.querySelectorAll('#participants li .name')].some((e) => e.textContent === name),
    USERS.member.displayName,
    { timeout: WAIT_MS },
  );
  await owner.locator('#chat-log li', { hasText: 'removed Max Power (too loud for a library)' }).waitFor({ timeout: WAIT_MS });
});

test('the waiting room holds the member until the owner admits him; a locked room refuses him', { timeout: 90000 }, async () => {
  const { owner, member } = pages;
  await owner.getByRole('button', { name: 'Turn waiting room on' }).click();
  await owner.getByRole('button', { name: 'Turn waiting room off' }).waitFor({ timeout: WAIT_MS });

  await member.locator('.room-card', { hasText: TITLE }).getByRole('button', { name: /^Join/ }).click();
  await waitForStatus(member, /Waiting for a moderator to let you in/);
  await owner.getByRole('button', { name: `Admit ${USERS.member.displayName}` }).click();
  await waitForStatus(member, new RegExp(`In room ${TITLE}`));
  await waitForNames(owner, [USERS.owner.displayName, USERS.member.displayName]);
  assert.equal(await owner.locator('#mod-knocks li').count(), 0, 'the admitted one no longer waits');

  await owner.getByRole('button', { name: 'Turn waiting room off' }).click();
  await owner.getByRole('button', { name: 'Lock room' }).click();
  await owner.getByRole('button', { name: 'Unlock room' }).waitFor({ timeout: WAIT_MS });
  await member.getByRole('button', { name: 'Leave' }).click();
  await waitForStatus(member, /You left the room/);
  await member.locator('.room-card', { hasText: TITLE }).getByRole('button', { name: /^Join/ }).click();
  await waitForStatus(member, /a moderator locked this room/);
  await owner.getByRole('button', { name: 'Unlock room' }).click();
  await owner.getByRole('button', { name: 'Lock room' }).waitFor({ timeout: WAIT_MS });
});

test('the owner bans the member, finds him in the panel\'s bans and lifts the ban: he gets in again', { timeout: 90000 }, async () => {
  const { owner, member } = pages;
  await joinFromList(member, TITLE);
  await waitForNames(owner, [USERS.owner.displayName, USERS.member.displayName]);
  const tile = memberTile(owner);
  await tile.getByLabel(`Moderate ${USERS.member.displayName}`).waitFor({ timeout: WAIT_MS });
  const menu = tile.locator('.mod-menu');
  if (!(await menu.evaluate((d) => d.open))) await tile.getByLabel(`Moderate ${USERS.member.displayName}`).click();
  await tile.getByLabel(`Reason for removing ${USERS.member.displayName}`).fill('spam links');
  await tile.getByRole('button', { name: `Ban ${USERS.member.displayName}` }).click();
  await member.locator('#rooms').waitFor({ state: 'visible', timeout: WAIT_MS });
  await member.locator('.room-card', { hasText: TITLE }).getByRole('button', { name: /^Join/ }).click();
  await waitForStatus(member, /banned/);

  await owner.getByRole('button', { name: 'Show bans' }).click();
  const banned = owner.locator('#mod-bans li', { hasText: USERS.member.displayName });
  await banned.waitFor({ timeout: WAIT_MS });
  assert.match(await banned.textContent(), /for good \(spam links\)/);
  await banned.getByRole('button', { name: `Unban ${USERS.member.displayName}` }).click();
  await owner.locator('#mod-bans-empty').waitFor({ state: 'visible', timeout: WAIT_MS });
  await joinFromList(member, TITLE);
  // Out again, so that the admin's force-close below finds the owner alone.
  await member.getByRole('button', { name: 'Leave' }).click();
  await waitForStatus(member, /You left the room/);
});

test('the admin page lists the room, shows the audit log and force-closes the room', { timeout: 90000 }, async () => {
  const admin = await context.newPage();
  pages.admin = admin;
  watch(admin, 'admin', ARTIFACTS, errors);
  await admin.goto(`${stack.url}admin.html`);
  await admin.getByLabel('Login', { exact: true }).fill(ADMIN.login);
  await admin.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await admin.getByRole('button', { name: 'Log in' }).click();
  const row = admin.locator('#admin-rooms tr', { hasText: USERS.owner.displayName });
  await row.waitFor({ timeout: WAIT_MS });
  await admin.locator('#admin-audit tr', { hasText: 'kick' }).waitFor({ timeout: WAIT_MS });
  assert.match(await admin.locator('#admin-audit tr', { hasText: 'kick' }).first().textContent(), /too loud for a library/);
  await admin.locator('#admin-audit tr', { hasText: 'mute' }).first().waitFor({ timeout: WAIT_MS });
  await admin.locator('#admin-audit tr', { hasText: 'delete_chat' }).first().waitFor({ timeout: WAIT_MS });

  admin.once('dialog', (d) => d.accept('closing time'));
  await row.getByRole('button', { name: /^Close room/ }).click();
  await waitForStatus(admin, /closed; 1 participant\(s\) removed/);
  await waitForStatus(pages.owner, /The room was closed: closing time/);
  // A member page never fails to load its scripts.
  for (const [key, list] of Object.entries(errors)) assert.deepEqual(list, [], `page ${key} threw`);
});
