// A command run the way a person runs it (a shell, its own process group), for tests of `npm start`,
// the compiled build and start-up failures.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * PATH, HOME and the locale: what a fresh terminal has. PATH loses every node_modules/.bin (npm test
 * puts this checkout's there), so a command only finds what its own checkout installed.
 */
export function basicEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['HOME', 'USER', 'LANG', 'TMPDIR', 'http_proxy', 'https_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  env.PATH = (process.env.PATH ?? '').split(':').filter((dir) => dir && !dir.includes('node_modules')).join(':');
  return { ...env, ...extra };
}

export interface Running {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves when the output matches; rejects when the process exits first or after `ms`. */
  waitFor(pattern: RegExp, ms: number): Promise<void>;
  /** Resolves with the exit code (or the signal's name) when the shell exits. */
  exited(): Promise<number | string>;
  /** SIGTERM to the whole process group, SIGKILL when it is still there after `graceMs`; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function runShell(command: string, options: { cwd: string; env: Record<string, string> }): Running {
  const child = spawn('sh', ['-c', command], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  const group = -child.pid!;
  return {
    child,
    output: () => output,
    exited: () => exit,
    async waitFor(pattern, ms) {
      const deadline = Date.now() + ms;
      let exited = false;
      void exit.then(() => (exited = true));
      while (!pattern.test(output)) {
        if (exited) throw new Error(`exited before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`no ${pattern} within ${ms / 1000} s:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(graceMs = 20_000) {
      signalGroup(group, 'SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(group) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(group)) signalGroup(group, 'SIGKILL');
      await exit;
      for (let i = 0; i < 100 && groupAlive(group); i++) await new Promise((r) => setTimeout(r, 50));
      if (groupAlive(group)) throw new Error(`process group ${-group} survived SIGKILL`);
    },
  };
}

function signalGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(group, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** Signal 0 checks that some process of the group still exists. */
export function groupAlive(group: number): boolean {
  try {
    process.kill(group, 0);
    return true;
  } catch {
    return false;
  }
}
