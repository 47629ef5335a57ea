import { describe, expect, it } from 'vitest';
import { isCardNumber, isResidentId, maskPII } from '../../../adapters/desk/pii.js';
import { cardBlocks } from '../../../adapters/slack/blocks.js';
import { deskText } from '../../../adapters/desk/text.js';
import type { HandoffCard } from '../../../flows/contracts.js';
import { runPlayground } from '../../support/playground.js';

/**
 * Check digits computed here, independently of the code under test, so the IDs and cards below
 * are valid the way real ones are (and a wrong last digit makes them invalid).
 */

/** GB 11643-1999: the 18th character of a resident ID from its first 17 digits (ISO 7064 MOD 11-2). */
function residentId(first17: string): string {
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * (2 ** (17 - i) % 11), 0);
  return first17 + '10X98765432'.charAt(sum % 11);
}

/** A card number: `body` followed by its Luhn check digit. */
function card(body: string): string {
  for (let check = 0; check <= 9; check++) {
    const digits = `${body}${check}`;
    const sum = [...digits].reverse().reduce((total, digit, i) => {
      const d = Number(digit) * (i % 2 === 1 ? 2 : 1);
      return total + (d > 9 ? d - 9 : d);
    }, 0);
    if (sum % 10 === 0) return digits;
  }
  throw new Error('unreachable: one check digit always fits');
}

/** The same number with its last digit changed: a typo, which no longer passes its check. */
const typo = (n: string) => `${n.slice(0, -1)}${n.endsWith('1') ? '2' : '1'}`;

const ID_X = residentId('11010519491231002'); // the standard's own example, check character X
const ID_SHENZHEN = residentId('44030819900307651');
const VISA = card('411111111111111');
const UNIONPAY_19 = card('622202123456789012');
const AMEX = card('37828224631000');
const VISA_13 = card('422222222222');
const ORDERS = [
  '202611200012345',
  '2026112000123456',
  '20261120001234567',
  '202611200012345678',
  '2026112000123456789',
];
const COURIERS = ['SF1234567890123', 'YT7412345678901', 'JDX000123456789'];

describe('which long numbers are personal data', () => {
  it('takes a resident ID only with a valid GB 11643 check character and birth date', () => {
    expect(ID_X).toBe('11010519491231002X');
    expect([ID_X, ID_X.toLowerCase(), ID_SHENZHEN].map(isResidentId)).toEqual([true, true, true]);
    expect(isResidentId(typo(ID_SHENZHEN))).toBe(false);
    // Right check character, impossible birth date (1990-02-30): not an ID.
    expect(isResidentId(residentId('44030819900230651'))).toBe(false);
    expect(ORDERS.filter((n) => n.length === 18).map(isResidentId)).toEqual([false]);
  });

  it('takes a card number only with 13–19 digits and a valid Luhn check digit', () => {
    expect([VISA, UNIONPAY_19, AMEX, VISA_13].map(isCardNumber)).toEqual([true, true, true, true]);
    expect([VISA, UNIONPAY_19, AMEX, VISA_13].map(typo).map(isCardNumber)).toEqual([false, false, false, false]);
    expect(isCardNumber(card('41111111111'))).toBe(false); // 12 digits: too short for a card
    expect(isCardNumber(card('4111111111111111111'))).toBe(false); // 20 digits: too long
    expect(ORDERS.map(isCardNumber)).toEqual([false, false, false, false, false]);
  });
});

describe('masking on the desk', () => {
  it('leaves 15–19 digit order numbers and courier numbers exactly as the customer wrote them', () => {
    for (const n of [...ORDERS, ...COURIERS])
      expect(maskPII(`订单号 ${n}，请帮我查一下`)).toBe(`订单号 ${n}，请帮我查一下`);
    expect(maskPII(`订单号${ORDERS[2]}`)).toBe(`订单号${ORDERS[2]}`);
    // A mistyped ID or card is not recognisable as one, so it is shown as written.
    expect(maskPII(typo(ID_SHENZHEN))).toBe(typo(ID_SHENZHEN));
    expect(maskPII(typo(VISA))).toBe(typo(VISA));
  });

  it('masks a valid resident ID, keeping the first three and last four characters', () => {
    expect(maskPII(`身份证号${ID_X}。`)).toBe('身份证号110***********002X。');
    expect(maskPII(`id ${ID_SHENZHEN}`)).toBe(`id 440***********${ID_SHENZHEN.slice(-4)}`);
  });

  it('masks a valid card, written whole or in groups, keeping the last four digits', () => {
    const grouped = VISA.replace(/(\d{4})(?=\d)/g, '$1 ');
    const amex = `${AMEX.slice(0, 4)}-${AMEX.slice(4, 10)}-${AMEX.slice(10)}`;
    expect(maskPII(`卡号 ${grouped}，谢谢`)).toBe(`卡号 **** ${VISA.slice(-4)}，谢谢`);
    expect(maskPII(`卡号${UNIONPAY_19}`)).toBe(`卡号**** ${UNIONPAY_19.slice(-4)}`);
    expect(maskPII(amex)).toBe(`**** ${AMEX.slice(-4)}`);
    expect(maskPII(VISA_13)).toBe(`**** ${VISA_13.slice(-4)}`);
  });

  it('keeps masking phone numbers and e-mail as before, also next to a card or an order', () => {
    expect(maskPII('电话 13812345678')).toBe('电话 138****5678');
    expect(maskPII('+86 13812345678')).toBe('+86 138****5678');
    expect(maskPII('call +86 138 1234 5678')).toBe('call +86 138 ****5678');
    expect(maskPII('mail li.wei@example.com')).toBe('mail l***@example.com');
    expect(maskPII(`13812345678 ${VISA}`)).toBe(`138****5678 **** ${VISA.slice(-4)}`);
    expect(maskPII(`${ORDERS[2]} 13812345678`)).toBe(`${ORDERS[2]} 138****5678`);
  });

  it('shows agents the order and courier numbers on the card and the thread, and hides the ID and card', async () => {
    const order = ORDERS[2] ?? '';
    const { out } = await runPlayground(
      `我的订单 ${order} 还没到，快递单号 SF1234567890123\n转人工\n身份证 ${ID_X}，卡号 ${VISA}，电话 13812345678\n`,
    );
    const desk = out.filter((l) => l.startsWith('desk>'));
    expect(desk).toContain(`desk>    客户诉求：我的订单 ${order} 还没到，快递单号 SF1234567890123`);
    expect(desk).toContain(`desk>      客户：我的订单 ${order} 还没到，快递单号 SF1234567890123`);
    expect(desk).toContain(`desk> [客户] 身份证 110***********002X，卡号 **** ${VISA.slice(-4)}，电话 138****5678`);
  });

  it('builds the Slack card the same way', () => {
    const handoff = cardWith(`订单 ${ORDERS[4]} 退款到卡 ${UNIONPAY_19}`, [`订单号：${ORDERS[3]}`]);
    const text = JSON.stringify(cardBlocks('tg:42', handoff, [], deskText('zh-CN')));
    expect(text).toContain(`订单 ${ORDERS[4]} 退款到卡 **** ${UNIONPAY_19.slice(-4)}`);
    expect(text).toContain(`订单号：${ORDERS[3]}`);
    expect(text).not.toContain(UNIONPAY_19);
  });

  it('masks phone and ID numbers written in full-width digits or in groups, and keeps numbers called orders (found by the issue-12 trial)', () => {
    expect(maskPII('电话１３８１２３４５６７８，转人工')).toBe('电话138****5678，转人工');
    expect(maskPII('电话 138 1234 5678')).toBe('电话 138 ****5678');
    expect(maskPII('电话 138-1234-5678')).toBe('电话 138-****5678');
    expect(maskPII('身份证 ３１０１０４１９９００３０７１２３Ｘ')).toBe('身份证 310***********123X');
    expect(maskPII('身份证 310104 19900307 123X')).toBe('身份证 310***********123X');
    // 20261128396030620 passes the card check by chance; called an order, it stays whole.
    expect(maskPII('订单 20261128396030620，转人工')).toBe('订单 20261128396030620，转人工');
    expect(maskPII('order no. 2026112830388368')).toBe('order no. 2026112830388368');
  });

  it('shows what people said as the last messages on a card, not system lines (found by the issue-12 trial)', () => {
    const handoff = cardWith('转人工', []);
    const recent = [
      { at: 1, from: 'customer' as const, text: '我的订单还没发货', eventId: 'e1' },
      { at: 2, from: 'system' as const, text: 'agent 小李: claim', eventId: 'e2' },
      { at: 3, from: 'bot' as const, text: '正在为您转接人工客服', eventId: 'e3' },
    ];
    const text = JSON.stringify(cardBlocks('tg:42', handoff, recent, deskText('zh-CN')));
    expect(text).toContain('我的订单还没发货');
    expect(text).toContain('正在为您转接人工客服');
    expect(text).not.toContain('agent 小李: claim');
  });
});

/** A handoff card of a Telegram customer with this need and these facts. */
function cardWith(need: string, facts: string[]): HandoffCard {
  return {
    reason: 'asked',
    priority: 'normal',
    afterHours: false,
    locale: 'zh-CN',
    channel: 'telegram',
    customer: { id: '42', name: 'Li' },
    need,
    facts,
    ticketId: 'T261123-ABCDEFGHIJ',
    tickets: [],
  };
}
