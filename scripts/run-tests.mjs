#!/usr/bin/env node
// npm test: type check and every test/**/*.test.ts through Node's test runner.
//
//   node scripts/run-tests.mjs                  everything (tsc --noEmit runs alongside the tests)
//   node scripts/run-tests.mjs --tier unit      one tier: unit, services or browser (repeatable)
//   node scripts/run-tests.mjs redis lab        only files whose path contains one of the words
//
// A file's tier follows from what it needs, so a new test file lands in the right one by itself:
//   browser   it lives in test/browser/ (Chromium)
//   services  it calls redisSkip or postgresSkip (test/support/services.ts): Redis or PostgreSQL
//   unit      the rest: nothing but Node (the in-process app on the embedded PGlite)
//
// Files run TEST_CONCURRENCY (default 2) at a time, except those that assert a deadline on live
// behaviour (an expiry announced within a second, a heartbeat): those run afterwards, one at a time
// with nothing beside them. They are the browser tier and every file with a line starting with
// `// serial: <why>`.
//
// One empty PGlite cluster is created per run and copied by the test helpers (test/support/pglite.ts),
// so each embedded database a test opens skips initdb but still runs the real migrations.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const TIERS = ['unit', 'services', 'browser'];

async function testFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])),
  );
  return nested.flat().sort();
}

async function describeFile(path) {
  const source = await readFile(path, 'utf8');
  const tier = path.startsWith(join('test', 'browser')) ? 'browser' : /\b(redisSkip|postgresSkip)\b/.test(source) ? 'services' : 'unit';
  return { path, tier, serial: tier === 'browser' || /^\/\/ serial: /m.test(source) };
}

function parseArgs(argv) {
  const tiers = [];
  const words = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const tier = arg === '--tier' ? argv[++i] : arg.startsWith('--tier=') ? arg.slice('--tier='.length) : undefined;
    if (arg === '--tier' || arg.startsWith('--tier=')) {
      if (!TIERS.includes(tier)) {
        console.error(`--tier must be one of ${TIERS.join(', ')}, not ${JSON.stringify(tier)}`);
        process.exit(2);
      }
      tiers.push(tier);
    } else {
      words.push(arg);
    }
  }
  return { tiers, words };
}

/**
 * Runs a command in the background. Its output is held back until the caller asks for it with
 * `show()`: from then on it streams to ours, so lanes running side by side never interleave lines.
 * `nice` lowers its priority (and its children's), so a lane beside it gets the CPU when it wants it.
 */
function start(name, args, { env = process.env, nice = 0 } = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  if (nice) {
    try {
      setPriority(child.pid, nice);
    } catch {
      // Not permitted here: the lanes share the CPU evenly instead.
    }
  }
  let held = [];
  const out = (stream) => (d) => (held ? held.push([stream, d]) : stream.write(d));
  child.stdout.on('data', out(process.stdout));
  child.stderr.on('data', out(process.stderr));
  const lane = {
    name,
    ended: false,
    done: new Promise((resolve) => child.on('close', (code) => resolve(code === 0))).finally(() => (lane.ended = true)),
    /** Prints what it said so far, streams the rest, and resolves to its success once it ended. */
    show() {
      for (const [stream, d] of held) stream.write(d);
      held = null;
      return lane.done;
    },
  };
  return lane;
}

const { tiers, words } = parseArgs(process.argv.slice(2));
const all = await Promise.all((await testFiles('test')).map(describeFile));
const selected = all.filter((f) => (!tiers.length || tiers.includes(f.tier)) && (!words.length || words.some((w) => f.path.includes(w))));
if (!selected.length) {
  console.error(`no test file matches ${process.argv.slice(2).join(' ')}`);
  process.exit(1);
}
const concurrency = Math.max(1, Number(process.env.TEST_CONCURRENCY) || 2);

const started = Date.now();
const shared = selected.filter((f) => !f.serial);
const alone = selected.filter((f) => f.serial);
// The files that assert deadlines run one at a time at normal priority; the rest, and the type
// check, run beside them at a lower one and use whatever CPU the deadline-sensitive lane leaves.
const background = alone.length ? 10 : 0;
const lanes = [];
if (!tiers.length && !words.length) lanes.push(start('type check', ['node_modules/typescript/bin/tsc', '--noEmit'], { nice: background }));

const reporter = `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`;
const template = await mkdtemp(join(tmpdir(), 'boxoffice-pglite-template-'));
let failed = false;
try {
  await (await PGlite.create({ dataDir: template })).close();
  const env = { ...process.env, BOXOFFICE_TEST_PGLITE_TEMPLATE: template };
  const test = (files, n) => ['--import', 'tsx', '--test', reporter, `--test-concurrency=${n}`, ...files.map((f) => f.path)];
  // The services tier holds the longest files (the store contracts): started first, they do not
  // leave one worker running alone at the end.
  shared.sort((a, b) => Number(b.tier === 'services') - Number(a.tier === 'services') || a.path.localeCompare(b.path));
  if (shared.length) lanes.unshift(start('files side by side', test(shared, concurrency), { env, nice: background }));
  if (alone.length) lanes.splice(1, 0, start('deadline-sensitive files, one at a time', test(alone, 1), { env }));
  // One lane's output at a time, never interleaved: a lane that already ended is printed whole,
  // otherwise the first one still running streams live.
  const pending = [...lanes];
  while (pending.length) {
    const lane = pending.find((l) => l.ended) ?? pending[0];
    pending.splice(pending.indexOf(lane), 1);
    console.log(`# ${lane.name}`);
    if (!(await lane.show())) {
      console.error(`# ${lane.name}: FAILED`);
      failed = true;
    }
  }
} finally {
  await rm(template, { recursive: true, force: true });
}

const counts = TIERS.map((t) => `${selected.filter((f) => f.tier === t).length} ${t}`).join(', ');
console.log(`# ${selected.length} files (${counts}) in ${((Date.now() - started) / 1000).toFixed(1)} s${failed ? ': FAILED' : ''}`);
process.exit(failed ? 1 : 0);
