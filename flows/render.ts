import type { ChoiceId, FlowDefinition } from './schema.js';
import type { Directive, Effect } from './contracts.js';
import { describeHours, localParts } from './hours.js';
import { pickVariant, render } from './text.js';
import { textFor } from './schema-texts.js';

/** The directives that name a text instead of carrying it: the step renders them into replies. */
export type TextDirective = Extract<Directive, { type: 'say' | 'greet' | 'answer' | 'policy' | 'acknowledge' }>;

/**
 * Renders a text directive into the reply the customer reads, in the definition's locale.
 * `turn` rotates through a text's phrasings; `at` (epoch ms) picks the greeting. Undefined when the
 * definition has nothing to say (an answer or policy id it no longer has).
 */
export function renderReply(
  def: FlowDefinition,
  d: TextDirective,
  turn: number,
  at: number,
): Extract<Effect, { type: 'reply' }> | undefined {
  const vars = { company: def.company };
  switch (d.type) {
    case 'say': {
      const reply = withChoices(
        def,
        render(pickVariant(textFor(def.texts, d.key), turn), { ...vars, ...d.vars }, def.locale),
        d.choices,
      );
      const said = d.from ? { ...reply, from: d.from } : reply;
      return d.queue ? { ...said, fill: 'queue', locale: def.locale } : said;
    }
    case 'greet': {
      const greeting = {
        ...vars,
        ask: d.withAsk ? pickVariant(def.texts.ask, turn) : '',
        opening: pickVariant(def.texts.opening, turn),
      };
      return withChoices(def, render(pickVariant(greetingFor(def, at), turn), greeting, def.locale).trim());
    }
    case 'acknowledge': {
      const text = def.complaints.kinds.find((k) => k.id === d.kind)?.acknowledge ?? def.texts.complaintAcknowledge;
      return withChoices(def, render(pickVariant(text, turn), vars, def.locale));
    }
    case 'answer': {
      const entry = def.faq.find((f) => f.id === d.faqId);
      const answerVars = { ...vars, hours: describeHours(def) };
      return entry ? withChoices(def, render(pickVariant(entry.answer, turn), answerVars, def.locale)) : undefined;
    }
    case 'policy': {
      // 三明治法则: understanding, the reason from policy, an alternative — one message.
      const policy = def.policies.find((x) => x.id === d.policyId);
      if (!policy) return undefined;
      const parts = [policy.understanding, policy.reason, policy.alternative].map((t) =>
        render(pickVariant(t, turn), vars, def.locale),
      );
      return withChoices(
        def,
        parts.reduce((all, part) => (all === '' ? part : /[.!?]$/.test(all) ? `${all} ${part}` : `${all}${part}`), ''),
      );
    }
  }
}

function withChoices(
  def: FlowDefinition,
  text: string,
  choices?: readonly ChoiceId[],
): Extract<Effect, { type: 'reply' }> {
  return {
    type: 'reply',
    text,
    ...(choices?.length ? { choices: choices.map((id) => ({ id, label: def.choices[id] })) } : {}),
  };
}

/** 开头语: the holiday greeting on a configured holiday, else the one for the time of day (`at` in epoch ms). */
export function greetingFor(def: FlowDefinition, at: number): FlowDefinition['greetings']['default'] {
  const { date, time } = localParts(def.timeZone, at);
  const holiday = def.greetings.holidays.find((h) => h.from <= date && date <= h.to);
  if (holiday) return holiday.text;
  const slot = def.greetings.byTime.find((s) => s.from <= time && time < s.to);
  return slot ? slot.text : def.greetings.default;
}
