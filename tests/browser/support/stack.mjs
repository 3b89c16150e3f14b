// The real Carrel stack for a browser test: a private redis-server, optionally a private
// MariaDB (for accounts, rooms and chat history), carrel-sfu and carrel-control from the
// build folder. Every process listens on 127.0.0.1 on a port chosen here, is started by this
// object and stopped by it, by PID, in reverse order.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { ChildProcess, freePort, waitForTcp } from './ChildProcess.mjs';

const run = promisify(execFile);
const WAIT_MS = 30000;

export const SOURCE_DIR = path.resolve(process.env.CARREL_SOURCE_DIR ?? path.join(import.meta.dirname, '..', '..', '..'));
export const BUILD_DIR = path.resolve(process.env.CARREL_BUILD_DIR ?? path.join(SOURCE_DIR, 'build'));

function isReady(line) {
  try {
    return JSON.parse(line).event === 'ready';
  } catch {
    return false;
  }
}

export class Stack {
  procs = [];
  redisPort = 0;
  mysqlSocket = '';
  control = null;
  controlArgv = [];
  url = '';

  constructor(artifacts) {
    this.artifacts = artifacts;
  }

  async #start(name, argv, env = {}) {
    const p = new ChildProcess(name, argv, path.join(this.artifacts, `${name}.log`), env);
    this.procs.push(p);
    await p.started;
    return p;
  }

  async startRedis() {
    this.redisPort = await freePort();
    const dir = path.join(this.artifacts, 'redis');
    fs.mkdirSync(dir, { recursive: true });
    await this.#start('redis', ['/usr/bin/redis-server', '--port', String(this.redisPort), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no']);
    assert.ok(await waitForTcp(this.redisPort, 10000), 'redis-server did not listen within 10 s');
  }

  // A fresh MariaDB with an empty `carrel` database (control applies the migrations).
  async startMariaDb() {
    const dir = path.join(this.artifacts, 'mariadb');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
    // A Unix socket path must stay under 108 bytes; temporary files get a folder of their own.
    const tmp = fs.mkdtempSync('/tmp/carrel-bt-');
    this.tmpDir = tmp;
    this.mysqlSocket = path.join(tmp, 'mysql.sock');
    await run('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--user=root',
      '--auth-root-authentication-method=normal'], { env: { ...process.env, TMPDIR: tmp } })
      .catch((e) => assert.fail(`mariadb-install-db failed: ${e.stderr ?? e.message}`));
    const port = await freePort();
    await this.#start('mariadb', ['/usr/sbin/mariadbd', '--no-defaults', `--datadir=${dir}/data`,
      `--socket=${this.mysqlSocket}`, `--port=${port}`, '--bind-address=127.0.0.1', '--user=root',
      '--skip-name-resolve', `--log-error=${dir}/err.log`, `--pid-file=${dir}/pid`, `--tmpdir=${tmp}`]);
    const deadline = Date.now() + 60000;
    for (;;) {
      const ok = await this.sql('CREATE DATABASE IF NOT EXISTS carrel CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci')
        .then(() => true, () => false);
      if (ok) break;
      assert.ok(Date.now() < deadline, `mariadbd did not become ready; see ${dir}/err.log`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async sql(statement) {
    const { stdout } = await run('mariadb', ['--no-defaults', '-uroot', `--socket=${this.mysqlSocket}`, '-N', '-B',
      '-e', statement]);
    return stdout;
  }

  // extra: more command-line arguments for carrel-sfu (e.g. --recordings-dir).
  async startSfu(nodeId = 'sfu-browser', extra = []) {
    const bin = path.join(BUILD_DIR, 'sfu', 'carrel-sfu');
    assert.ok(fs.existsSync(bin), `${bin} is missing: build carrel-sfu first`);
    const sfu = await this.#start(nodeId, [bin, '--redis-host', '127.0.0.1', '--redis-port', String(this.redisPort),
      '--node-id', nodeId, ...extra], { GST_DEBUG: process.env.GST_DEBUG ?? 'carrel*:4,WARNING' });
    assert.ok(await sfu.waitForLine(isReady, WAIT_MS), `carrel-sfu printed no ready line; see ${sfu.log}`);
    return sfu;
  }

  // extra: more command-line arguments for carrel-control.
  async startControl(extra = []) {
    const bin = path.join(BUILD_DIR, 'control', 'carrel-control');
    assert.ok(fs.existsSync(bin), `${bin} is missing: build carrel-control first`);
    if (!this.controlArgv.length) {
      const port = await freePort();
      this.controlArgv = [bin, '--host', '127.0.0.1', '--port', String(port), '--web-root',
        path.join(SOURCE_DIR, 'web'), '--redis-host', '127.0.0.1', '--redis-port', String(this.redisPort),
        '--node-id', 'ctl-browser'];
      if (this.mysqlSocket) {
        this.controlArgv.push('--mysql-socket', this.mysqlSocket, '--mysql-user', 'root', '--mysql-database',
          'carrel', '--migrations-dir', path.join(SOURCE_DIR, 'control', 'migrations'));
      }
      this.controlArgv.push(...extra);
      this.url = `http://127.0.0.1:${port}/`;
    }
    this.control = await this.#start('carrel-control', this.controlArgv);
    const ready = await this.control.waitForLine(isReady, WAIT_MS);
    assert.ok(ready, `carrel-control printed no ready line; see ${this.control.log}`);
    return this.url;
  }

  async stopControl() {
    const old = this.control;
    this.control = null;
    await old?.stop();
    this.procs.splice(this.procs.indexOf(old), 1);
  }

  async stop() {
    while (this.procs.length) await this.procs.pop().stop();
    if (this.tmpDir) fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }
}
