// `npm start` as the README says: it serves the page and the API on the embedded default, and a
// SIGTERM lets in-flight work finish and exits cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from './support/processes.ts';
import { seedPglite } from './support/pglite.ts';

describe('npm start', () => {
  it('serves the booking page and the API, and shuts down gracefully on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-start-'));
    await seedPglite(join(dataDir, 'db'));
    const port = await freePort();
    const child = spawn('npm', ['start', '--silent'], {
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', HOLD_STORE: '', REDIS_URL: '', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      const base = `http://127.0.0.1:${port}`;
      const started = Date.now();
      while (!output.includes('Boxoffice is serving')) {
        // A first start builds dist/ with tsc: half a minute on a quiet machine, more on a loaded one.
        assert.ok(Date.now() - started < 120_000, `no start within 120 s:\n${output}`);
        assert.equal(child.exitCode, null, `exited early:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Boxoffice/);
      const movies = (await (await fetch(`${base}/api/v1/movies`)).json()) as { movies: { id: string }[] };
      assert.ok(movies.movies.some((m) => m.id === 'inception'));
      assert.equal((await fetch(`${base}/movies`)).status, 200);

      // A request in flight when SIGTERM arrives still gets its answer.
      const inFlight = fetch(`${base}/api/v1/showtimes/dune-1/seats`);
      process.kill(-child.pid!, 'SIGTERM');
      assert.equal((await inFlight).status, 200);
      // npm passes the signal on and dies of it, so the server's own word is read from its log.
      await once(child, 'close');
      assert.match(output, /shutting down: finishing in-flight requests/);
      assert.match(output, /"msg":"stopped"/, output);
      assert.doesNotMatch(output, /shutdown failed/);
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

// Attack finding 10: a bad port in DATABASE_URL or REDIS_URL, or a store that does not answer, died
// with an uncaught exception and a stack trace. Now: one `boxoffice: ...` line naming the setting.
describe('a start that cannot work', () => {
  const REPO = new URL('..', import.meta.url);

  async function failedStart(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'boxoffice-refused-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: REPO,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: dataDir, LAB_ENABLED: 'false', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      // A start that does not refuse would serve forever: stopped after a minute, it fails the checks.
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const [code] = (await once(child, 'close')) as [number | null];
      clearTimeout(timer);
      return { code, stderr, stdout };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }

  /** Exactly one line on stderr, the given one, no stack trace, no password, and the exit code. */
  function assertRefused(result: { code: number | null; stderr: string; stdout: string }, code: number, line: RegExp): void {
    assert.equal(result.code, code, `${result.stderr}\n${result.stdout}`);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(result.stderr.trim(), line);
    assert.doesNotMatch(result.stderr + result.stdout, /\n\s+at |hunter2|Unhandled error event/);
  }

  it('refuses a port out of range in REDIS_URL or DATABASE_URL, and HOLD_TTL over MAX_HOLD_LIFE', async () => {
    const [redis, database, holdTtl] = await Promise.all([
      failedStart({ REDIS_URL: 'redis://:hunter2@127.0.0.1:99999' }),
      failedStart({ DATABASE_URL: 'postgres://postgres:hunter2@127.0.0.1:99999/test' }),
      failedStart({ HOLD_TTL: '3600', MAX_HOLD_LIFE: '1800' }),
    ]);
    assertRefused(redis, 2, /^boxoffice: REDIS_URL is not a valid URL .*"redis:\/\/:\*\*\*@127\.0\.0\.1:99999"$/);
    assertRefused(database, 2, /^boxoffice: DATABASE_URL is not a valid URL .*"postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:99999\/test"$/);
    assertRefused(holdTtl, 2, /^boxoffice: HOLD_TTL \(3600 s\) cannot be longer than MAX_HOLD_LIFE \(1800 s\)/);
  });

  it('says which store it cannot connect to, and exits 1', async () => {
    const closed = await freePort(); // nothing listens there
    const [redis, database] = await Promise.all([
      failedStart({ REDIS_URL: `redis://:hunter2@127.0.0.1:${closed}` }),
      failedStart({ DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${closed}/test` }),
    ]);
    assertRefused(redis, 1, new RegExp(`^boxoffice: cannot connect to REDIS_URL \\(redis://:\\*\\*\\*@127\\.0\\.0\\.1:${closed}\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${closed}$`));
    assertRefused(database, 1, new RegExp(`^boxoffice: cannot connect to DATABASE_URL \\(postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${closed}/test\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${closed}$`));
  });

  it('says when it cannot listen on HOST:PORT, or cannot use DATA_DIR, and exits 1', async () => {
    // Both died with an uncaught exception and a stack trace (found attacking issue 10's fixes).
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const notADir = join(await mkdtemp(join(tmpdir(), 'boxoffice-file-')), 'a-file');
    await writeFile(notADir, 'not a folder');
    try {
      const [busy, file] = await Promise.all([failedStart({ PORT: String(port) }), failedStart({ DATA_DIR: notADir })]);
      assertRefused(busy, 1, new RegExp(`^boxoffice: cannot listen on 127\\.0\\.0\\.1:${port} \\(HOST, PORT\\): .*EADDRINUSE`));
      assertRefused(file, 1, /^boxoffice: cannot use DATA_DIR \(.*a-file\): .*ENOTDIR/);
    } finally {
      taken.close();
      await rm(join(notADir, '..'), { recursive: true, force: true });
    }
  });
});
