// tier: services (slow, not timing-sensitive: clones this repository and runs `npm install` from the registry)
// The README's first command on a fresh clone, as a newcomer types it: no data/ folder, no dist/, no
// settings but PORT. Then the same clone serves the dev start, and the compiled start without dev dependencies.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { basicEnv, freePort, runShell, type Running } from './support/processes.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SERVING = /Boxoffice is serving http:\/\/127\.0\.0\.1:\d+\//;

/** The booking page, FirstClick's /movies and the API document all answer 200. */
async function assertServes(port: number): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const page = await fetch(`${base}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Boxoffice/);
  const movies = await fetch(`${base}/movies`);
  assert.equal(movies.status, 200);
  assert.ok(((await movies.json()) as unknown[]).length > 0, 'the demo catalog is there');
  assert.equal((await fetch(`${base}/docs`)).status, 200);
}

describe('a fresh clone', { timeout: 15 * 60_000 }, () => {
  let folder: string;
  let clone: string;
  let running: Running | undefined;

  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'boxoffice-clone-'));
    clone = join(folder, 'boxoffice');
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    execFileSync('git', ['clone', '--quiet', '--no-checkout', REPO, clone]);
    execFileSync('git', ['checkout', '--quiet', '--detach', head], { cwd: clone });
  });
  after(async () => {
    await running?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  async function start(command: string): Promise<{ port: number; server: Running }> {
    const port = await freePort();
    const server = (running = runShell(command, { cwd: clone, env: basicEnv({ PORT: String(port) }) }));
    await server.waitFor(SERVING, 10 * 60_000);
    return { port, server };
  }

  it('`npm install && npm start` builds dist/, runs it and serves the page, /movies and /docs', async () => {
    assert.equal(existsSync(join(clone, 'data')), false);
    assert.equal(existsSync(join(clone, 'dist')), false);
    const { port, server } = await start('npm install && npm start');
    await assertServes(port);
    assert.match(server.output(), /boxoffice: building dist\/ \(dist\/ is missing\)/);
    assert.ok(existsSync(join(clone, 'dist', 'src', 'server.js')));
    assert.ok(existsSync(join(clone, 'data', 'db')), 'the embedded database is in ./data/db');
    await server.stop();
  });

  it('`npm run dev` (tsx, no build) serves them too, on a new data folder', async () => {
    await rm(join(clone, 'data'), { recursive: true, force: true });
    const { port, server } = await start('npm run dev');
    await assertServes(port);
    await server.stop();
  });

  it('`npm start` runs a fresh dist/ without the development dependencies, and says so when dist/ is stale', async () => {
    await rm(join(clone, 'data'), { recursive: true, force: true });
    execFileSync('npm', ['prune', '--omit=dev', '--silent'], { cwd: clone, env: basicEnv() });
    assert.equal(existsSync(join(clone, 'node_modules', 'tsx')), false);
    assert.equal(existsSync(join(clone, 'node_modules', 'typescript')), false);
    const { port, server } = await start('npm start');
    await assertServes(port);
    assert.doesNotMatch(server.output(), /building dist/);
    await server.stop();

    const help = execFileSync('node', ['bin/boxoffice.mjs', '--help'], { cwd: clone, env: basicEnv(), encoding: 'utf8' });
    assert.match(help, /usage: boxoffice stress/);

    await appendFile(join(clone, 'src', 'server.ts'), '\n// changed after the build\n');
    const stale = runShell('npm start', { cwd: clone, env: basicEnv({ PORT: String(await freePort()) }) });
    assert.notEqual(await stale.exited(), 0);
    assert.match(stale.output(), /boxoffice: dist\/ is missing or stale and TypeScript is not installed: building needs the development dependencies/);
  });
});
