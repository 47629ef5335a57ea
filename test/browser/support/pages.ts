import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { root } from './product.js';

/**
 * What the browser itself reports while the tests drive the console: script errors, console
 * errors and warnings (a CSP violation is one: "Refused to load…"), and failed requests. A test
 * fails on any of them, except a refusal status it caused on purpose (`expectStatus`).
 */
export class BrowserLog {
  private readonly problems: string[] = [];
  private readonly expected: Array<{ status: number; path: string }> = [];
  /** The "leave this page?" prompts pages raised (each accepted, so the navigation goes on). */
  readonly unloadPrompts: string[] = [];

  /**
   * Listens on every page of `context`, present and to come. Each page also reports the CSP
   * violations it sees (the `securitypolicyviolation` event) as console errors, so one is caught
   * even where Chromium would not log it itself.
   */
  async watch(context: BrowserContext): Promise<void> {
    await context.addInitScript({
      content: `document.addEventListener('securitypolicyviolation', (e) =>
        console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' in ' + e.sourceFile));`,
    });
    const onPage = (page: Page) => {
      page.on('console', (m) => {
        if (m.type() !== 'error' && m.type() !== 'warning') return;
        const status = /the server responded with a status of (\d+)/.exec(m.text())?.[1];
        const path = m.location().url ? new URL(m.location().url).pathname : '';
        if (status && this.expected.some((e) => e.status === Number(status) && e.path === path)) return;
        this.problems.push(`${m.type()}: ${m.text()} (${m.location().url})`);
      });
      page.on('pageerror', (e) => this.problems.push(`pageerror: ${e.message}`));
      page.on('dialog', (d) => {
        if (d.type() === 'beforeunload') this.unloadPrompts.push(page.url());
        else this.problems.push(`unexpected ${d.type()} dialog: ${d.message()}`);
        void d.accept();
      });
      page.on('requestfailed', (r) => {
        // A navigation that replaced a page before its partial update finished is not a failure.
        if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
        this.problems.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`);
      });
    };
    context.pages().forEach(onPage);
    context.on('page', onPage);
  }

  /** A refusal the test asks for (a 401 sign-in, a 403 page): Chromium logs it, and it is not a problem. */
  expectStatus(status: number, path: string): void {
    this.expected.push({ status, path });
  }

  /** The problems since the last call. */
  take(): string[] {
    return this.problems.splice(0);
  }
}

export const SCREENSHOTS = join(root, 'docs', 'console');

/**
 * Saves a screenshot of the page as docs/console/NAME.png, whole page, with `mask` (times and
 * other clock-dependent parts) painted over in grey; the file is rewritten only when it changed, so a run
 * that draws the same page leaves the committed picture alone.
 */
export async function screenshot(page: Page, name: string, mask: Locator[] = []): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  const png = await page.screenshot({
    fullPage: true,
    animations: 'disabled',
    caret: 'hide',
    mask,
    maskColor: '#e5e7eb',
  });
  if (existsSync(file) && readFileSync(file).equals(png)) return;
  writeFileSync(file, png);
}
