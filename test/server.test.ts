// `npm start` as the README says: it serves the page and the API on the embedded default, and a
// SIGTERM lets in-flight work finish and exits cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seedPglite } from './support/pglite.ts';

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

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
        assert.ok(Date.now() - started < 30_000, `no start within 30 s:\n${output}`);
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
