// The web client's pure modules, loaded by Node straight from web/js (no browser needed):
// the room search parser, the roster's track bookkeeping, the candidate filter and the
// client-side limits.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { SOURCE_DIR } from './support/stack.mjs';

const load = (name) => import(pathToFileURL(path.join(SOURCE_DIR, 'web', 'js', name)).href);

test('a search splits into title words and the first #tag', async () => {
  const { parseSearch } = await load('rooms-view.js');
  assert.deepEqual(parseSearch('  linear  algebra #Math #exam '), { q: 'linear algebra', tag: 'math' });
  assert.deepEqual(parseSearch('#'), { q: '', tag: '' });
  assert.deepEqual(parseSearch(''), { q: '', tag: '' });
  assert.deepEqual(parseSearch('<script> #a'), { q: '<script>', tag: 'a' });
});

test('the roster knows each track\'s source, its mute marks, and lists cameras per participant', async () => {
  const { Roster, sourceOf } = await load('roster.js');
  assert.equal(sourceOf({ track: 'audio0', kind: 'audio' }), 'microphone');
  assert.equal(sourceOf({ track: 'video0', kind: 'video' }), 'camera');
  assert.equal(sourceOf({ track: 'screen0', kind: 'video' }), 'screen');
  assert.equal(sourceOf({ track: 'video1', kind: 'video', source: 'screen' }), 'screen');
  assert.equal(sourceOf({ track: 'screen0', kind: 'video', source: 'bogus' }), 'screen');

  const r = new Roster();
  r.add('p1', 'Ana', [{ track: 'video0', kind: 'video', source: 'camera' }, { track: 'audio0', kind: 'audio' }]);
  r.add('p2', 'Mina', []);
  r.publish('p2', { track: 'video0', kind: 'video' });
  r.publish('p2', { track: 'screen0', kind: 'video', source: 'screen' });
  r.publish('nobody', { track: 'video0', kind: 'video' }); // a stray event changes nothing
  assert.deepEqual(r.tracksOf('camera', ['p2']), [{ participant: 'p2', track: 'video0' }]);
  assert.deepEqual(r.tracksOf('screen'), [{ participant: 'p2', track: 'screen0' }]);
  assert.deepEqual(r.tracksOf('camera', ['p1', 'gone']), [{ participant: 'p1', track: 'video0' }]);
  assert.equal(r.setMuted('p1', 'audio', true), true);
  assert.equal(r.setMuted('gone', 'audio', true), false);
  const ana = r.list().find((p) => p.id === 'p1');
  assert.deepEqual([...ana.tracks].sort(), ['audio', 'video']);
  assert.deepEqual([...ana.muted], ['audio']);
  r.unpublish('p2', { track: 'screen0' });
  assert.deepEqual(r.tracksOf('screen'), []);
  assert.equal(r.remove('p1').name, 'Ana');
  assert.equal(r.has('p1'), false);
});

test('the candidate filter keeps only the server\'s networks', async () => {
  const { candidateFilter } = await load('candidates.js');
  const loopback = candidateFilter(['127.0.0.0/8']);
  assert.equal(loopback('candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host'), true);
  assert.equal(loopback('candidate:2 1 udp 2122260223 10.0.0.7 50000 typ host'), false);
  assert.equal(loopback('candidate:3 1 udp 2122260223 ::1 50000 typ host'), false);
  assert.equal(loopback(''), true, 'the end of gathering always goes');
  assert.equal(candidateFilter(null)('candidate:2 1 udp 1 10.0.0.7 5 typ host'), true, 'no list: all go');
});

test('the client checks names, room ids and chat length in bytes before sending', async () => {
  const { checkChat, checkName, checkRoom } = await load('validate.js');
  assert.equal(checkName('Mina'), null);
  assert.match(checkName(''), /enter your name/);
  assert.match(checkName('é'.repeat(33)), /too long/); // 66 bytes
  assert.equal(checkRoom('algebra_1-b'), null);
  assert.match(checkRoom('al gebra'), /letters, digits/);
  assert.equal(checkChat('x'.repeat(2000)), null);
  assert.match(checkChat('😀'.repeat(501)), /too long/); // 2004 bytes
});
