import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { parseDefinition } from '../../flows/definition.js';
import { render } from '../../flows/text.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';
import { runPlayground } from '../support/playground.js';

const monday = shanghai('2026-11-23T15:00:00');
const MINUTES = '{wait, plural, one {# minute} other {# minutes}}';

describe('plural forms in texts', () => {
  it('picks the form by the locale’s plural rules, "#" being the number', () => {
    expect(render(`about ${MINUTES}`, { wait: '1' }, 'en')).toBe('about 1 minute');
    expect(render(`about ${MINUTES}`, { wait: '2' }, 'en')).toBe('about 2 minutes');
    expect(render(`about ${MINUTES}`, { wait: '0.5' }, 'en')).toBe('about 0.5 minutes');
    // An exact form wins over the category; a value that is not a number reads "other".
    const exact = '{wait, plural, =0 {no wait} one {# minute} other {# minutes}}';
    expect(render(exact, { wait: '0' }, 'en')).toBe('no wait');
    expect(render(`about ${MINUTES}`, { wait: '…' }, 'en')).toBe('about … minutes');
    // Chinese has one form: every number takes "other".
    expect(render('{wait, plural, other {约 # 分钟}}', { wait: '1' }, 'zh-CN')).toBe('约 1 分钟');
  });

  it('leaves a plural whose number is not known yet for later, with its other placeholders', () => {
    const text = render(`You are number {position}; about ${MINUTES} at {company}.`, { company: 'Our Shop' }, 'en');
    expect(text).toBe(`You are number {position}; about ${MINUTES} at Our Shop.`);
    expect(render(text, { position: '1', wait: '1' }, 'en')).toBe('You are number 1; about 1 minute at Our Shop.');
  });

  it('tells an English customer "1 hour" and "24 hours" for the promised reply time', () => {
    const promise = (hours: number) => {
      const d = new Dialogue(
        defaultFlow((def) => (def.thresholds.followUpHours = hours)),
        monday,
      );
      d.say('hello');
      return d.say('can I talk to a real person?', { after: 1_000 })[0] ?? '';
    };
    expect(promise(1)).toMatch(
      /contact you within 1 hour \(counted on working days\), by Nov 23, 16:01 at the latest\.$/,
    );
    expect(promise(24)).toMatch(
      /contact you within 24 hours \(counted on working days\), by Nov 24, 15:01 at the latest\.$/,
    );
  });

  it('fills the queue message at delivery with "1 minute" or "3 minutes", and the playground’s own lines too', async () => {
    const { out } = await runPlayground(
      'hello\nI want to talk to a real person\n/wait 3\n/agent claim\n/agent handback\nreal person please\n/wait 1\n/wait 2s\n',
      { lang: 'en' },
    );
    const queued = out.filter((l) => l.startsWith('bot> Connecting you'));
    expect(queued[0]).toContain('the expected wait is about 1 minute. ');
    // The claim took three minutes: that is now the expected wait.
    expect(queued[1]).toContain('the expected wait is about 3 minutes. ');
    // The desk reads the transcript, where the queue message is not filled in.
    expect(out).toContain(
      "desk>      bot: Connecting you to a member of our team. You are number … in the queue; the expected wait is about … minutes. You can keep describing your question: the agent will see everything, so you won't need to repeat yourself.",
    );
    expect(out).toEqual(
      expect.arrayContaining([
        'playground> 3 minutes later…',
        'playground> 1 minute later…',
        'playground> 2 seconds later…',
      ]),
    );
    expect(out.join('\n')).not.toContain('(s)');
  });

  it('rejects a malformed plural form with its path, and checks the placeholders inside it', () => {
    const source = readFileSync(join(DEFAULT_FLOWS_DIR, 'en.yaml'), 'utf8');
    const doc = parse(source) as { texts: Record<string, unknown> };
    doc.texts.followUp = 'Within {hours, plural, one {# hour}}.';
    doc.texts.handoffQueued = 'About {wait, plural, one {# minute} several {# minutes} other {# minutes}}.';
    doc.texts.handoffUnavailable = 'Within {hours, plural, one {# hour, ref {tiket}} other {# hours, ref {ticket}}}.';
    doc.texts.complaintPromise = 'Within {hourz, plural, one {# hour} other {# hours}}.';
    const result = parseDefinition(stringify(doc));
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'texts.followUp: {hours, plural, …} needs an "other" form',
        'texts.handoffQueued: {wait, plural, …}: "several" is not a plural form (zero, one, two, few, many, other or =N)',
        'texts.handoffUnavailable: unknown placeholder {tiket} (allowed here: {ticket}, {hours}, {by})',
        'texts.complaintPromise: unknown placeholder {hourz} (allowed here: {ticket}, {hours}, {by})',
      ]),
    );
  });
});
