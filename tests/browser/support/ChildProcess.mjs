// A process owned by a test: stdout read line by line (the daemons' machine-readable ready
// lines), stderr to a log file kept as an artifact, stopped by its own PID (SIGTERM, then
// SIGKILL) and never by name.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';

const live = new Set();
// A test runner that dies (or is killed) must not leave daemons behind.
process.on('exit', () => {
  for (const p of live) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

export class ChildProcess {
  #lines = [];
  #waiters = new Set();

  constructor(name, argv, logPath, env = {}) {
    this.name = name;
    this.log = logPath;
    const logFd = fs.openSync(logPath, 'a');
    this.child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', logFd],
      env: { ...process.env, ...env },
    });
    fs.closeSync(logFd);
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        live.delete(this);
        resolve(signal ? `signal ${signal}` : `code ${code}`);
      });
    });
    this.started = new Promise((resolve, reject) => {
      this.child.once('spawn', resolve);
      this.child.once('error', (e) => reject(new Error(`cannot start ${name}: ${e.message}`)));
    });
    this.started.then(() => live.add(this), () => {});
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.#lines.push(line);
      for (const w of this.#waiters) w(line);
    });
  }

  // Resolves with the first stdout line (already seen or to come) satisfying pred, or null
  // on timeout or when the process exits first.
  waitForLine(pred, timeoutMs) {
    const seen = this.#lines.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const done = (value) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      const check = (line) => pred(line) && done(line);
      const timer = setTimeout(() => done(null), timeoutMs);
      this.#waiters.add(check);
      this.exited.then(() => done(null));
    });
  }

  async stop(graceMs = 5000) {
    if (!live.has(this)) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const how = await this.exited;
    clearTimeout(timer);
    return how;
  }
}

// A TCP port on 127.0.0.1 that was free a moment ago.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitForTcp(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}
