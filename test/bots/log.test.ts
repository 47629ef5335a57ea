import { describe, expect, it } from 'vitest';
import { createLogger, memoryLogger, readableLogLine, REDACTED, type LogLevel } from '../../bots/log.js';

/** The log lines an operator reads (pino JSON on stderr), as written at `level`. */
function written(level: LogLevel) {
  const lines: string[] = [];
  const log = createLogger(level, (line) => lines.push(line));
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('the log', () => {
  it('writes one JSON object a line with the level by name, the time, the message and the fields', () => {
    const { log, parsed } = written('info');
    log.info('store ready', { kind: 'redis' });
    expect(parsed()).toEqual([
      {
        level: 'info',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        pid: process.pid,
        hostname: expect.any(String),
        kind: 'redis',
        msg: 'store ready',
      },
    ]);
  });

  it("reads as one short line beside the playground's conversation, redaction kept (found by the issue-17 trial)", () => {
    const { log, lines } = written('warn');
    log.child({ conversationId: 'playground:local' }).warn('escalation', { ticketId: 'T1', reason: 'supervisor' });
    log.warn('record write failed', { text: '我的电话13812345678', error: 'connection refused' });
    expect(lines.map(readableLogLine)).toEqual([
      'log> warn: escalation (conversationId=playground:local, ticketId=T1, reason=supervisor)',
      `log> warn: record write failed (text=${REDACTED}, error="connection refused")`,
    ]);
    expect(readableLogLine('not json')).toBe('not json');
  });

  it('writes nothing below LOG_LEVEL, and nothing at all when silent', () => {
    const warn = written('warn');
    warn.log.debug('a');
    warn.log.info('b');
    warn.log.warn('c');
    warn.log.error('d');
    expect(warn.parsed().map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'c'],
      ['error', 'd'],
    ]);
    const silent = written('silent');
    silent.log.error('e');
    expect(silent.lines).toEqual([]);
  });

  it("a child's lines carry its bindings once, even when a call repeats them", () => {
    const { log, lines, parsed } = written('debug');
    const conversation = log.child({ conversationId: 'telegram:42' });
    conversation.warn('delivery failed; retrying', { conversationId: 'telegram:42', attempt: 1 });
    conversation.child({ eventId: 'e1' }).debug('turn committed');
    expect(parsed()).toMatchObject([
      { conversationId: 'telegram:42', attempt: 1, msg: 'delivery failed; retrying' },
      { conversationId: 'telegram:42', eventId: 'e1', msg: 'turn committed' },
    ]);
    expect(lines[0]!.split('telegram:42')).toHaveLength(2);
  });

  it('redacts personal data by path and keeps ids and kinds', () => {
    const { log, parsed } = written('debug');
    log.error('the system of record refused a write; it is not retried', {
      conversationId: 'telegram:42',
      item: 'e1#archive',
      effect: { type: 'record.archive', entries: [{ from: 'customer', text: '我叫张三丰' }] },
      customer: { id: '42', name: '张三丰', phone: '13800138000' },
      ticket: { id: 't1', need: '退货', customer: { name: '张三丰' } },
    });
    log.warn('delivery failed; retrying', { conversationId: 'telegram:42', effect: 'reply', text: '电话13800138000' });
    log.warn('desk alert without a card', { conversationId: 'telegram:42', level: 'sla' });
    const [refused, failed, alert] = parsed();
    expect(refused).toMatchObject({
      conversationId: 'telegram:42',
      item: 'e1#archive',
      effect: { type: 'record.archive', entries: REDACTED },
      customer: { id: '42', name: REDACTED, phone: REDACTED },
      ticket: { id: 't1', need: REDACTED, customer: REDACTED },
    });
    expect(failed).toMatchObject({ effect: 'reply', text: REDACTED });
    // A field named like one pino writes itself cannot pass for it.
    expect(alert).toMatchObject({ level: 'warn', level_: 'sla' });
    expect(JSON.stringify(parsed())).not.toMatch(/张三丰|13800138000|退货/);
  });

  it("memoryLogger keeps a child's lines, bindings first among the fields, for tests to read", () => {
    const log = memoryLogger();
    log.child({ conversationId: 'c1' }).error('turn failed; its event stays queued', { error: 'x' });
    log.info('plain');
    expect(log.lines).toEqual([
      { level: 'error', message: 'turn failed; its event stays queued', fields: { conversationId: 'c1', error: 'x' } },
      { level: 'info', message: 'plain' },
    ]);
  });
});
