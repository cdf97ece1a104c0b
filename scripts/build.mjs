#!/usr/bin/env node
// npm run build: src/ compiled by tsc to dist/src/, with every other file the compiled code reads at run
// time (the .lua scripts, the .sql migrations: everything under src/ that is not .ts) copied beside it,
// and web/ copied to dist/web/. The repository's layout is kept, so each new URL(..., import.meta.url)
// resolves in dist/ as it does in src/.
//
// `--if-stale` builds only when dist/ is missing or was built from other sources: `npm start` and the
// boxoffice command use it, so `npm install && npm start` stays the whole set-up. Building needs the
// development dependencies (TypeScript); running a fresh dist/ does not.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, 'build-stamp.json');
const LOCK = join(ROOT, 'dist.lock');
/** What dist/ is built from: a change to any of these makes it stale. */
const SOURCES = ['src', 'web'];
const SETTINGS = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs'];

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));

/** One hash over the path and content of every input: unlike mtimes, it survives copies and checkouts. */
function sourceHash() {
  const hash = createHash('sha256');
  const files = [...SOURCES.flatMap((dir) => walk(join(ROOT, dir))), ...SETTINGS.map((f) => join(ROOT, f))].sort();
  for (const file of files) hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** Why dist/ must be built, or undefined when it matches the sources. */
export function staleReason() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'dist/ is missing';
  }
  return stamp.sources === sourceHash() ? undefined : 'src/, web/, package.json or a tsconfig changed since the last build';
}

export class BuildError extends Error {}

/**
 * Builds dist/ (into a temporary folder, swapped in at the end), one process at a time; with
 * `ifStale`, not when another process built it while this one waited.
 */
export function build({ ifStale = false } = {}) {
  const tsc = resolveTsc();
  lock();
  try {
    if (ifStale && staleReason() === undefined) return;
    const sources = sourceHash();
    const tmp = join(ROOT, `dist.tmp-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    const { status } = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', tmp], { cwd: ROOT, stdio: 'inherit' });
    if (status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      throw new BuildError('tsc failed (see above)');
    }
    for (const file of walk(join(ROOT, 'src')).filter((f) => !f.endsWith('.ts'))) {
      const target = join(tmp, relative(ROOT, file));
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(file, target);
    }
    cpSync(join(ROOT, 'web'), join(tmp, 'web'), { recursive: true });
    writeFileSync(join(tmp, 'build-stamp.json'), `${JSON.stringify({ sources, builtAt: new Date().toISOString() })}\n`);
    const old = join(ROOT, `dist.old-${process.pid}`);
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(tmp, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Builds when dist/ is stale; says why on stderr. */
export function buildIfStale() {
  const reason = staleReason();
  if (reason === undefined) return;
  process.stderr.write(`boxoffice: building dist/ (${reason})\n`);
  build({ ifStale: true });
}

function resolveTsc() {
  try {
    return createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new BuildError('dist/ is missing or stale and TypeScript is not installed: building needs the development dependencies (npm install, then npm run build)');
  }
}

/** A folder as the lock (mkdir is atomic), with the builder's pid: a second start waits for the first one's build. */
function lock() {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    // A lock whose builder died (killed mid-build) is taken over.
    if (!alive(holderOf(LOCK))) rmSync(LOCK, { recursive: true, force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}

/** The pid in the lock; a lock still without one after 10 s belongs to nobody (0). */
function holderOf(lock) {
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (pid) return pid;
  } catch {
    // not written yet, or the lock is gone
  }
  const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return age > 10_000 ? 0 : process.pid;
}

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    if (process.argv.includes('--if-stale')) buildIfStale();
    else build();
  } catch (e) {
    if (!(e instanceof BuildError)) throw e;
    process.stderr.write(`boxoffice: ${e.message}\n`);
    process.exit(1);
  }
}
