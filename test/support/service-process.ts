import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/**
 * Real processes for tests: the built service (`node dist/src/cli.js serve`) and any other binary
 * (Alertmanager, Prometheus). Every process is started with `spawn`, its output is captured, and it
 * is stopped by its own pid: SIGTERM, then SIGKILL after 5 s (real-clients.md §10). Processes still
 * alive when the test worker exits are killed by pid too, so a failing test never leaks a listener.
 */

export const REPO_ROOT = join(__dirname, '..', '..');
export const CLI = join(REPO_ROOT, 'dist', 'src', 'cli.js');

/** How long `stop()` waits after SIGTERM before sending SIGKILL. */
const KILL_AFTER_MS = 5_000;
/** Captured output kept per process (the tail), so a chatty process cannot exhaust memory. */
const OUTPUT_CAP = 2 * 1024 * 1024;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) safeKill(child.pid, 'SIGKILL');
});

function safeKill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

// ---------------------------------------------------------------------------------------------
// Ports

/** portInUse reports whether something on `host` accepts connections on `port` or the port cannot be bound. */
export async function portInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  const accepts = await new Promise<boolean>((resolve) => {
    const socket = new Socket();
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
  if (accepts) return true;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** assertPortFree throws when the port is taken (refuse to start rather than talk to a stranger). */
export async function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  if (await portInUse(port, host)) throw new Error(`port ${host}:${port} is already in use; refusing to start a test process on it`);
}

/**
 * freePort asks the OS for an unused loopback port and checks it is still free (nothing listening,
 * bindable) before returning it. Ports handed out earlier in this worker are not reused.
 */
const handedOut = new Set<number>();
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ port: 0, host, exclusive: true }, () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(chosen));
      });
    });
    if (port === 0 || handedOut.has(port)) continue;
    if (await portInUse(port, host)) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('could not find a free loopback port after 20 attempts');
}

// ---------------------------------------------------------------------------------------------
// Generic managed process

export interface ManagedProcess {
  /** Name used in messages (e.g. `alertmanager`). */
  name: string;
  pid: number;
  child: ChildProcess;
  /** Captured stdout and stderr, interleaved in arrival order. */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running: () => boolean;
  /** SIGTERM, then SIGKILL after 5 s; resolves with how it ended. Safe to call twice. */
  stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL now (a crash), and wait for the exit. */
  kill9: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface SpawnOptions {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

class Capture {
  private all = '';
  private out = '';
  private err = '';
  add(stream: 'out' | 'err', chunk: Buffer): void {
    const text = chunk.toString('utf8');
    this.all = tail(this.all + text);
    if (stream === 'out') this.out = tail(this.out + text);
    else this.err = tail(this.err + text);
  }
  get output(): string {
    return this.all;
  }
  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
}

function tail(text: string): string {
  return text.length > OUTPUT_CAP ? text.slice(text.length - OUTPUT_CAP) : text;
}

/** spawnManaged starts `command args…` with captured output and pid-based stop/kill9. */
export function spawnManaged(command: string, args: string[], options: SpawnOptions): ManagedProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const capture = new Capture();
  child.stdout!.on('data', (chunk: Buffer) => capture.add('out', chunk));
  child.stderr!.on('data', (chunk: Buffer) => capture.add('err', chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      capture.add('err', Buffer.from(`\n[spawn error] ${err.message}\n`));
      live.delete(child);
      resolve({ code: null, signal: null });
    });
  });
  if (child.pid === undefined) {
    // spawn failed synchronously-ish (ENOENT): the 'error' event carries the reason.
    return failedProcess(options.name, child, capture, exited);
  }
  live.add(child);
  const pid = child.pid;
  const running = () => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (running()) {
        safeKill(pid, 'SIGTERM');
        const timer = setTimeout(() => {
          if (running()) safeKill(pid, 'SIGKILL');
        }, KILL_AFTER_MS);
        const result = await exited;
        clearTimeout(timer);
        return result;
      }
      return exited;
    })());
  const kill9 = async () => {
    if (running()) safeKill(pid, 'SIGKILL');
    return exited;
  };
  return {
    name: options.name,
    pid,
    child,
    output: () => capture.output,
    stdout: () => capture.stdout,
    stderr: () => capture.stderr,
    exited,
    running,
    stop,
    kill9,
  };
}

function failedProcess(name: string, child: ChildProcess, capture: Capture, exited: ManagedProcess['exited']): ManagedProcess {
  return {
    name,
    pid: -1,
    child,
    output: () => capture.output,
    stdout: () => capture.stdout,
    stderr: () => capture.stderr,
    exited,
    running: () => false,
    stop: () => exited,
    kill9: () => exited,
  };
}

/**
 * waitForHttp polls `url` until it answers 200. Fails early (with the process output) when the
 * process exits first, and after `timeoutMs` otherwise.
 */
export async function waitForHttp(url: string, proc: ManagedProcess, timeoutMs = 15_000, headers: Record<string, string> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (!proc.running()) {
      const { code, signal } = await proc.exited;
      throw new Error(`${proc.name} exited (code ${code}, signal ${signal}) before ${url} was ready.\n--- ${proc.name} output ---\n${proc.output()}`);
    }
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(1_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${proc.name} not ready at ${url} after ${timeoutMs} ms (last: ${last}).\n--- ${proc.name} output ---\n${proc.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------------------------------------------------------------------------------------------
// The adapter itself

export interface ServiceProcessOptions {
  /** The config as a plain object (as it would be in YAML). `storage.path` defaults to `<dir>/data`. */
  config: Record<string, unknown>;
  /** Working directory for config and storage. Given → kept on stop (restart after a crash); else a temp dir removed by `cleanup()`. */
  dir?: string;
  /** Listen port; default: a fresh free port. A given port must be free. */
  port?: number;
  /** Extra environment for the process (merged over process.env). */
  env?: Record<string, string>;
  /** How long to wait for /readyz (default 20 s). */
  readyTimeoutMs?: number;
}

export interface ServiceProcess extends ManagedProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dir: string;
  configPath: string;
  /** Parsed pino JSON log lines from stdout (non-JSON lines are skipped). */
  logs: () => Array<Record<string, unknown>>;
  /** Stops the process (if running) and removes the temp dir when this helper created it. */
  cleanup: () => Promise<void>;
}

/**
 * startService writes `config.yaml` into a temp dir, runs
 * `node dist/src/cli.js serve --config <dir>/config.yaml --listen 127.0.0.1:<port>` and resolves once
 * `/readyz` answers 200. Requires `npm run build` (the `pretest` script does it).
 */
export async function startService(options: ServiceProcessOptions): Promise<ServiceProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` first (npm test does it in pretest)`);
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'wecom-adapter-proc-'));
  mkdirSync(dir, { recursive: true });
  const storage = { path: join(dir, 'data'), ...((options.config.storage as Record<string, unknown>) ?? {}) };
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, stringify({ ...options.config, storage }));

  // A port picked by us can (rarely) be taken between the check and the bind: retry with another.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    await assertPortFree(port);
    const proc = spawnManaged(process.execPath, [CLI, 'serve', '--config', configPath, '--listen', `127.0.0.1:${port}`], {
      name: 'wecom-alert-adapter',
      cwd: dir,
      env: { ...process.env, ...options.env },
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/readyz`, proc, options.readyTimeoutMs ?? 20_000);
    } catch (err) {
      await proc.stop();
      if (options.port === undefined && attempt < 3 && /EADDRINUSE/.test(proc.output())) continue;
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    return {
      ...proc,
      url,
      port,
      dir,
      configPath,
      logs: () => parseLogLines(proc.stdout()),
      cleanup: async () => {
        await proc.stop();
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

function parseLogLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial line at the end of the capture
    }
  }
  return out;
}

/** waitUntil polls an async or sync predicate (no fixed sleeps in tests). */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string, context: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      const extra = context();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${extra ? `\n${extra}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
