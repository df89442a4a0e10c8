import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Issue 18 (memory): how the service process is started and what it loads. Uses the built dist/
 * (`npm run build` first, as `npm test` does): the bin's shebang carries the V8 flags and every way
 * of starting the service goes through it; `serve` loads neither the other commands, nor the web
 * console, nor the WeCom callback code (undici, the design card's HTTP client, is loaded: it sends).
 */
const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'src', 'cli.js');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
const shebang = readFileSync(join(ROOT, 'src', 'cli.ts'), 'utf8').split('\n')[0];
const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
const tunables = shebang.split(/\s+/).filter((word) => /^[A-Z_]+=/.test(word));

describe('the service process (issue 18)', () => {
  it('keeps its V8 flags and glibc tunables in the bin shebang, which the build marks executable and npm start uses', () => {
    expect(shebang).toMatch(/^#!\/usr\/bin\/env -S( [A-Z_]+=\d+)* node( --[a-z-]+=\d+)+$/);
    expect(flags).toEqual(expect.arrayContaining(['--max-semi-space-size=4', '--heap-growing-percent=75']));
    expect(tunables).toEqual(['MALLOC_TRIM_THRESHOLD_=131072']);
    // Linux reads at most 255 bytes of a shebang line (BINPRM_BUF_SIZE); past that flags are cut off.
    expect(Buffer.byteLength(shebang)).toBeLessThan(256);
    expect(pkg.bin['wecom-alert-adapter']).toBe('dist/src/cli.js');
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe(shebang);
    expect(() => accessSync(BIN, constants.X_OK)).not.toThrow();
    expect(pkg.scripts.start).toBe(`${pkg.bin['wecom-alert-adapter']} serve`);
  });

  it('runs node with those flags and that environment when the bin is executed directly (as npm, npx and the image do)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wecom-footprint-'));
    // The embedded default config (console receiver), storage under the temp dir, any free port.
    const child = spawn(BIN, ['serve', '--listen', '127.0.0.1:0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((done, fail) => {
        let out = '';
        child.stdout.on('data', (chunk) => {
          out += chunk;
          if (out.includes('listening on http://')) done();
        });
        child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
      });
      const argv = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
      expect(argv).toEqual(expect.arrayContaining(flags));
      expect(argv.indexOf(flags[0])).toBeLessThan(argv.indexOf(BIN));
      const environment = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
      expect(environment).toEqual(expect.arrayContaining(tunables));
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve loads none of the other commands, the console or the callback code', () => {
    const script = `require(${JSON.stringify(BIN)}); require(${JSON.stringify(join(ROOT, 'dist', 'src', 'commands', 'serve.js'))});
      process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = (JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[]).map((file) => file.slice(ROOT.length));
    expect(loaded).toContain('/dist/src/commands/serve.js');
    const unwanted = loaded.filter((file) =>
      /^\/dist\/src\/(ui\/|interactive\/callback-|http\/wecom-callback|commands\/(check|render|send-test|digest|dead-letters)\.js)|\/node_modules\/(ioredis|pino-pretty)\//.test(file),
    );
    expect(unwanted).toEqual([]);
  });
});
