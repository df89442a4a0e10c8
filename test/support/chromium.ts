import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inCI } from './real-binaries';

/**
 * Launching Debian's Chromium (`apt-get install chromium`, what .ci/run does) through playwright-core
 * for the browser tests, in one place: the binary, its flags, the missing-binary rule (fails in CI,
 * skipped with a warning elsewhere, never silently), a throw-away profile, the page-error collector
 * (uncaught errors, CSP violations and failed fetches show up as console errors) and the console
 * screenshots at the two sizes the README shows.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 812 };

/** describeWithChromium declares a suite that needs Chromium (one failing test in CI without it, a skip elsewhere). */
export function describeWithChromium(title: string, body: () => void): void {
  if (existsSync(CHROMIUM)) return describe(title, body);
  const message = `${CHROMIUM} not found; install it with \`apt-get install -y --no-install-recommends chromium\` (what .ci/run does) or set CHROMIUM_PATH`;
  if (inCI) {
    describe(title, () => it('has Chromium (required in CI)', () => {
      throw new Error(message);
    }));
    return;
  }
  console.warn(`SKIPPED browser tests (${title}) — ${message}`);
  describe(title, () => it.skip(`SKIPPED: ${CHROMIUM} not installed`, () => undefined));
}

/** waitUntil polls a Node-side condition (the service's store, the fake WeCom) until it holds. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface LaunchOptions {
  /** Basic credentials the browser answers every challenge with (as one that remembers them). */
  httpCredentials?: { username: string; password: string };
  /** The operator's browser: Chinese locale and Beijing time (the console must not depend on either). */
  locale?: string;
  timezoneId?: string;
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors not announced in `expectedErrors`. */
  pageErrors: string[];
  /** A console error the test provokes on purpose (a 401, a 400) is pushed here first; each matches once. */
  expectedErrors: RegExp[];
  close: () => Promise<void>;
}

/** launchChromium starts headless Chromium on a fresh profile with one page that collects its errors. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'wecom-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: DESKTOP, ...options });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(10_000);
  const pageErrors: string[] = [];
  const expectedErrors: RegExp[] = [];
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const expected = expectedErrors.findIndex((pattern) => pattern.test(text));
    if (expected >= 0) expectedErrors.splice(expected, 1);
    else pageErrors.push(`console: ${text}`);
  });
  return {
    context,
    page,
    pageErrors,
    expectedErrors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'test-output', 'console');
const DOCS = join(ROOT, 'docs', 'console');

/**
 * Screenshots of the console: always into test-output/console/, and with `UPDATE_DOCS_SCREENSHOTS=1`
 * (`npm run screenshots:console`) also into docs/console/ for the README.
 */
export class ConsoleShots {
  constructor(private readonly page: Page) {
    mkdirSync(OUT, { recursive: true });
    if (process.env.UPDATE_DOCS_SCREENSHOTS) mkdirSync(DOCS, { recursive: true });
  }

  /** shot saves what the first screen shows at the current size. */
  async shot(name: string): Promise<void> {
    await this.page.evaluate(() => (globalThis as unknown as { scrollTo: (x: number, y: number) => void }).scrollTo(0, 0));
    await this.page.screenshot({ path: join(OUT, `${name}.png`) });
    if (process.env.UPDATE_DOCS_SCREENSHOTS) await this.page.screenshot({ path: join(DOCS, `${name}.png`) });
  }

  /** bothWidths: at 1280 px and at 375 px, wait for `ready`, check nothing scrolls sideways, take `<name>-desktop/-phone`. */
  async bothWidths(name: string, ready: () => Promise<void>): Promise<void> {
    for (const [suffix, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      await this.page.setViewportSize(size);
      await ready();
      const overflow = await this.page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect({ name, suffix, overflow }).toEqual({ name, suffix, overflow: 0 });
      await this.shot(`${name}-${suffix}`);
    }
    await this.page.setViewportSize(DESKTOP);
  }
}
