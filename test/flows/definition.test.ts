import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { parseDefinition } from '../../flows/definition.js';
import { compileBundle, createConversationFlow } from '../../flows/step.js';
import { Dialogue } from '../support/dialogue.js';
import { shanghai } from '../support/flows.js';

const zhSource = readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8');

/** The default zh-CN definition as data, edited by `edit`, back to YAML. */
function edited(edit: (doc: Record<string, any>) => void): string {
  const doc = parse(zhSource) as Record<string, any>;
  edit(doc);
  return stringify(doc);
}

function problems(source: string): string[] {
  const r = parseDefinition(source);
  if (r.ok) throw new Error('expected the definition to be rejected');
  return r.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('flow definitions', () => {
  it('accepts the shipped zh-CN and en definitions', () => {
    for (const locale of ['zh-CN', 'en']) {
      const r = parseDefinition(readFileSync(join(DEFAULT_FLOWS_DIR, `${locale}.yaml`), 'utf8'));
      expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true);
    }
  });

  it("accepts a definition from before a text was added, and says that text's fallback instead (TEXT_FALLBACKS)", () => {
    const older = edited((doc) => {
      delete doc.texts.surveySorryNoted;
      delete doc.texts.complaintEscalateLive;
    });
    const r = parseDefinition(older);
    expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true);
    if (!r.ok) return;
    const flow = createConversationFlow(compileBundle([r.definition], 'zh-CN'));
    const d = new Dialogue(flow, shanghai('2026-11-23T15:00:00'));
    ['你好', '我的订单还没发货', '是的', '没有了'].forEach((m) => d.say(m));
    expect(d.say('1分，太慢了')).toEqual(['谢谢您的宝贵意见，已经为您记录，我们会认真改进。祝您生活愉快！']);
    // A required text is still required.
    expect(problems(edited((doc) => delete doc.texts.surveyCommentThanks))).toEqual([
      expect.stringMatching(/^texts\.surveyCommentThanks: /),
    ]);
  });

  it('refuses a text that says nothing: empty, spaces, an ideographic space, invisible characters (found by the issue-17 trial)', () => {
    expect(
      problems(
        edited((doc) => {
          doc.texts.closingRecorded = '  ';
          doc.texts.surveySorryNoted = '\u3000';
          doc.texts.ask = ['请问有什么可以帮您？', '\u200b'];
        }),
      ),
    ).toEqual([
      'texts.ask[1]: must say something (it is empty, or only spaces or punctuation)',
      'texts.closingRecorded: must say something (it is empty, or only spaces or punctuation)',
      'texts.surveySorryNoted: must say something (it is empty, or only spaces or punctuation)',
      'texts.ask[1]: has an invisible character (U+200B): remove it',
    ]);
    // Nor may a button, a name or a question put into texts (found by the second trial of the day).
    expect(
      problems(
        edited((doc) => {
          doc.choices.yes = '\u3000';
          doc.company = '  ';
          doc.texts.ask = '。';
        }),
      ),
    ).toEqual([
      'company: must say something (it is empty, or only spaces or punctuation)',
      'texts.ask: must say something (it is empty, or only spaces or punctuation)',
      'choices.yes: must say something (it is empty, or only spaces or punctuation)',
    ]);
    // An optional text set to nothing is told how to leave it out.
    expect(problems(edited((doc) => (doc.texts.closingComplaint = null)))).toEqual([
      'texts.closingComplaint: must be a text, or a list of phrasings the bot rotates through (or leave the key out to say closingRecorded instead)',
    ]);
  });

  it('refuses a text longer than one message, or too many phrasings (found by the issue-15 trial: a 5 MB opening line)', () => {
    const long = edited((d) => {
      d.texts.opening = 'a'.repeat(4_001);
      d.faq[0].answer = ['好的', 'b'.repeat(5_000)];
    });
    expect(problems(long)).toEqual([
      'texts.opening: must be at most 4000 characters (one message)',
      'faq[0].answer[1]: must be at most 4000 characters (one message)',
    ]);
    // What goes into texts is short too: {company}, a topic restated, a category's name (re-trial).
    const names = edited((d) => {
      d.company = 'c'.repeat(201);
      d.faq[0].topic = 't'.repeat(5_000);
    });
    expect(problems(names)).toEqual([
      'company: must be at most 200 characters',
      'faq[0].topic: must be at most 200 characters',
    ]);
  });

  it('reports a misspelt setting name instead of ignoring it (found by the issue-15 trial)', () => {
    const typos = edited((d) => {
      d.texs = { opening: '你好' };
      d.thresholds.faqMinScroe = 0.9;
    });
    expect(problems(typos)).toEqual(['thresholds: unknown field faqMinScroe', '(file): unknown field texs']);
    const proto = zhSource.replace(/^texts:\n/m, 'texts:\n  __proto__: x\n  constructor: y\n');
    expect(problems(proto)).toEqual(['texts: unknown fields __proto__, constructor']);
  });

  it('reports a missing FAQ answer with its path', () => {
    expect(problems(edited((d) => delete d.faq[3].answer))).toEqual(['faq[3].answer: required']);
  });

  it('reports every problem at once, each with its path', () => {
    const list = problems(
      edited((d) => {
        delete d.texts.askMore;
        d.faq[1].id = d.faq[0].id;
        d.thresholds.faqMinScore = 2;
        d.greetings.byTime[0].from = '25:00';
        d.timers = { idleCloseMinutes: 'ten' };
      }),
    );
    expect(list).toEqual(
      expect.arrayContaining([
        'texts.askMore: required',
        expect.stringMatching(/^thresholds\.faqMinScore: /),
        expect.stringMatching(/^greetings\.byTime\[0\]\.from: must be a time of day/),
        expect.stringMatching(/^timers\.idleCloseMinutes: /),
      ]),
    );
    expect(list.length).toBeGreaterThanOrEqual(4);
  });

  it('reports a misspelt placeholder together with structural problems of the same file', () => {
    const list = problems(
      edited((d) => {
        delete d.faq[4].answer;
        d.texts.confirmVerbatim = '您的意思是{nede}，对吗？';
      }),
    );
    expect(list).toEqual([
      'texts.confirmVerbatim: unknown placeholder {nede} (allowed here: {need})',
      'faq[4].answer: required',
    ]);
  });

  it('rejects a duplicate FAQ id and names the first one', () => {
    // Cross-field checks run once the shape is right, so this file has only that problem.
    expect(problems(edited((d) => (d.faq[1].id = d.faq[0].id)))).toEqual([
      'faq[1].id: duplicate id "payment-methods" (also faq[0])',
    ]);
  });

  it('catches a misspelt placeholder before it reaches a customer', () => {
    const list = problems(edited((d) => (d.texts.confirmVerbatim = '您的意思是{nede},对吗?')));
    expect(list).toEqual(['texts.confirmVerbatim: unknown placeholder {nede} (allowed here: {need})']);
  });

  // Found by the sixteenth issue-17 session's console trial: "{ask" was published and reached customers.
  it.each([['您好，{company}欢迎您！{ask'], ['您好，{company}欢迎您！ask}']])(
    'catches a half-typed placeholder: %s',
    (text) => {
      const list = problems(edited((d) => (d.texts.opening = text)));
      expect(list).toEqual([
        expect.stringMatching(/^texts\.opening: "[{}]" without its pair: write a placeholder as \{name\}$/),
      ]);
    },
  );

  // Found by the sixteenth issue-17 session's console trial: a bidi override reversed a confirmation line.
  it('catches invisible characters anywhere, with their code point', () => {
    const list = problems(
      edited((d) => {
        d.faq[0].topic = '了解\u202e付款方式\u202c的事';
        d.faq[0].answer = '请\u200b联系客服';
      }),
    );
    expect(list).toEqual([
      'faq[0].topic: has an invisible character (U+202E): remove it',
      'faq[0].answer: has an invisible character (U+200B): remove it',
    ]);
    // The verification trial: emoji joined by U+200D are emoji; a line separator, a Hangul filler and a hidden
    // character in a field's name are not.
    expect(parseDefinition(edited((d) => (d.texts.thanks = '谢谢👨\u200d👩\u200d👧 家人，❤️\u200d🔥'))).ok).toBe(true);
    expect(problems(edited((d) => (d.texts.thanks = ['谢谢\u2028', '\u3164'])))).toEqual([
      'texts.thanks[0]: has an invisible character (U+2028): remove it',
      'texts.thanks[1]: has an invisible character (U+3164): remove it',
    ]);
    const key = problems(
      edited((d) => {
        d.texts['than\u200bks'] = d.texts.thanks;
        delete d.texts.thanks;
      }),
    );
    expect(key).toContain('texts: unknown field than\u200bks (has an invisible character U+200B: remove it)');
  });

  it('says a plural form without "other" once, not its braces and words as placeholders (found by the verification trial)', () => {
    const list = problems(
      edited((d) => (d.texts.followUp = '已记录 {ticket}，{hours, plural, one {#小时}}内，最迟 {by}')),
    );
    expect(list).toEqual(['texts.followUp: {hours, plural, …} needs an "other" form']);
  });

  it('points at the variant that is wrong when a text has several phrasings', () => {
    const list = problems(edited((d) => (d.texts.thanks = ['不用客气。', '不客气,{customer}'])));
    expect(list).toEqual(['texts.thanks[1]: unknown placeholder {customer} (this text takes no placeholders)']);
  });

  it('rejects an unknown time zone and an impossible holiday date', () => {
    const list = problems(
      edited((d) => {
        d.timeZone = 'Asia/Beijing';
        d.greetings.holidays[0].from = '2026-02-30';
      }),
    );
    expect(list).toEqual(
      expect.arrayContaining([
        'timeZone: is not an IANA time zone (e.g. Asia/Shanghai)',
        'greetings.holidays[0].from: is not a real calendar date',
      ]),
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    const broken = zhSource.replace('schema: 1', 'schema: [1');
    const list = problems(broken);
    expect(list[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify(parse(zhSource));
    const r = parseDefinition(json);
    expect(r.ok).toBe(true);
  });

  it('checks the complaint kinds: a known category, valid patterns, no forbidden phrase in the acknowledgement', () => {
    expect(
      problems(
        edited((d) => {
          d.complaints.kinds[0].category = 'staff';
          d.complaints.kinds[1].words[0] = '(态度|服务';
          d.complaints.kinds[2].acknowledge = '这是公司规定，请您文明用语';
        }),
      ),
    ).toEqual([
      'complaints.kinds[1].words[0]: is not a valid pattern: check that every [ ] and ( ) is closed and that a word outside [ ] is left',
      'complaints.kinds[2].acknowledge: contains the forbidden service phrase "这是公司规定" (推诿客户（“这是公司规定”）); say instead: 非常抱歉，请您谅解。根据我们的相关政策……，我们可以为您……，您看可以吗？',
      'complaints.kinds[0].category: no complaint category has id "staff"',
    ]);
  });

  it("takes rating words as optional, and refuses one that is already another score's words", () => {
    const r = parseDefinition(edited((d) => delete d.ratingWords));
    expect(r.ok && r.definition.ratingWords).toEqual({});
    expect(
      problems(
        edited((d) => {
          d.ratingWords = { score4: ['还算满意', '不满意'], score1: ['差评'], score2: ['差评'] };
        }),
      ),
    ).toEqual([
      'ratingWords.score2[0]: "差评" is already a score\'s words (ratingWords.score1): a word rates one score',
      'ratingWords.score4[1]: "不满意" is already a score\'s words (choices.score2): a word rates one score',
    ]);
  });

  it('says what is wrong with a file that is not a definition at all', () => {
    expect(problems('just some text')).toEqual(['(file): must be a mapping of fields (schema, locale, texts, faq, …)']);
    expect(problems('')).toEqual(['(file): must be a mapping of fields (schema, locale, texts, faq, …)']);
  });
});
