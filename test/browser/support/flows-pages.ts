import type { Page } from 'playwright-core';

/**
 * The console's Flows pages as an admin uses them in a real browser (playwright-core), for the
 * browser tests (issue 15): each step is what an admin does, by the labels and ids the pages
 * render (adapters/console/flows), so a test reads as the steps it checks.
 */

/** `base`: where the flows pages are (`http://127.0.0.1:PORT/console/flows`). */
export function flowsPages(page: Page, base: string) {
  return {
    /** Opens a knowledge-base entry's form (0-based, in the file's order) in `file` (zh-CN.yaml by default). */
    async openEntry(index: number, file = 'zh-CN.yaml'): Promise<void> {
      await page.goto(`${base}/list/faq?file=${encodeURIComponent(file)}`);
      const details = page.locator(`#faq-${index}`);
      if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
    },

    /** Writes an entry's answer (its first phrasing) and saves; resolves on the page after the save. */
    async setAnswer(index: number, text: string): Promise<void> {
      await page.fill(`#faq-${index}-answer`, text);
      await Promise.all([page.waitForURL(/saved=1/), page.click(`#faq-${index} form >> nth=0 >> button[type=submit]`)]);
    },

    /** The problems shown under an entry's field (`answer`, `questions`…), as text. */
    async fieldProblems(index: number, field: string): Promise<string> {
      const list = page.locator(`#faq-${index}-${field}-problems`);
      return (await list.count()) === 0 ? '' : list.innerText();
    },

    /** Sets a text's phrasings on the texts page (`opening`…) and saves. */
    async setText(key: string, variants: readonly string[], file = 'zh-CN.yaml'): Promise<void> {
      await page.goto(`${base}/texts?file=${encodeURIComponent(file)}`);
      for (const [i, v] of variants.entries()) await page.fill(`#text-${key}-${i}`, v);
      await Promise.all([page.waitForURL(/saved=1/), page.click(`#text-${key} button[type=submit]`)]);
    },

    /** Opens the preview chat and waits for the greeting; resolves with the bot's messages so far. */
    async openPreview(): Promise<string[]> {
      await page.goto(`${base}/preview`);
      await page.waitForSelector('#preview-chat li.bot');
      return page.locator('#preview-chat li.bot .text').allInnerTexts();
    },

    /** Says something in the preview as the customer; resolves with the bot's messages of that turn. */
    async say(text: string): Promise<string[]> {
      const before = await page.locator('#preview-chat li.bot').count();
      await page.fill('#preview-text', text);
      await page.click('#preview-form button[type=submit]');
      await page.locator('#preview-chat li.bot').nth(before).waitFor();
      return (await page.locator('#preview-chat li.bot .text').allInnerTexts()).slice(before);
    },

    /** Whether the flows home lets the draft be published (no problems). */
    async canPublish(): Promise<boolean> {
      await page.goto(base);
      return page.locator('form.publish button[type=submit]').isEnabled();
    },

    /** Publishes the draft with a message; resolves with the notice shown ("已发布 v2…"). */
    async publish(message: string): Promise<string> {
      await page.goto(base);
      await page.fill('#publish-message', message);
      await Promise.all([page.waitForURL(/published=/), page.click('form.publish button[type=submit]')]);
      return page.locator('p.notice').innerText();
    },

    /** Rolls back to version `id` from the history page: the button, then the confirmation under what changes. */
    async rollback(id: number): Promise<void> {
      await page.goto(`${base}/history`);
      await Promise.all([
        page.waitForURL(new RegExp(`/rollback/${id}\\??$`)),
        page.click(`form[action$="/rollback/${id}"] button[type=submit]`),
      ]);
      await Promise.all([
        page.waitForURL(/rolledBack=/),
        page.click(`form[method="post"][action$="/rollback/${id}"] button[type=submit]`),
      ]);
    },

    /** Types into the YAML editor at the end of line `line` (1-based); resolves with the problems listed under it. */
    async typeInYaml(file: string, line: number, text: string): Promise<string> {
      await page.goto(`${base}/yaml?file=${encodeURIComponent(file)}&line=${line}`);
      await page.waitForSelector('#yaml-editor .cm-editor');
      await page.keyboard.press('End');
      await page.keyboard.type(text);
      await page.waitForSelector('#yaml-problems li');
      return page.locator('#yaml-problems').innerText();
    },
  };
}
