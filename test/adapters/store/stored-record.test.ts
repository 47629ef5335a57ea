import { describe, expect, it } from 'vitest';
import { parseRecord } from '../../../adapters/store/shared.js';

/** The conversation record as the stores read it back every turn: what they wrote, and anything else reported. */
describe('stored conversation record', () => {
  it('reads back what was written', () => {
    const record = {
      snapshot: { value: { service: 'idle' }, context: { seq: 1 } },
      timers: { idle: 1_800_000 },
      turn: 7,
    };
    expect(parseRecord(JSON.stringify(record))).toEqual(record);
    expect(parseRecord(JSON.stringify({ snapshot: null, timers: {}, turn: 0 }))).toEqual({
      snapshot: null,
      timers: {},
      turn: 0,
    });
  });

  it('reports a value that is not JSON or not a record as corrupt, with the raw text', () => {
    for (const raw of [
      'not json',
      '[1,2]',
      'null',
      '{"snapshot":{},"timers":{"idle":"soon"},"turn":1}',
      '{"snapshot":{},"timers":[],"turn":1}',
      '{"snapshot":{},"timers":{},"turn":1.5}',
      '{"snapshot":{},"timers":{}}',
    ])
      expect(parseRecord(raw)).toEqual({ corrupt: raw });
  });
});
