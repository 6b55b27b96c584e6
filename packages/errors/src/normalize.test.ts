import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_LENGTH, normalizeMessage } from './normalize.js';

describe('normalizeMessage', () => {
  it.each([
    ['order 42 not found', 'order <num> not found'],
    ['order 12345678901 not found', 'order <num> not found'],
    ['took 12.5 ms, limit -3', 'took <num> ms, limit <num>'],
    ['user 3f2b9c1e-8d4a-4e6f-9a1b-2c3d4e5f6a7b missing', 'user <uuid> missing'],
    ['mail to ada.l+shop@example.co.uk bounced', 'mail to <email> bounced'],
    ['object 5f3a9c0e12ab not found', 'object <hex> not found'],
    ['bad pointer 0xdeadbeef', 'bad pointer <hex>'],
    ["Cannot read properties of undefined (reading 'price')", 'Cannot read properties of undefined (reading <str>)'],
    ['unknown key "a \\" b" in `cfg`', 'unknown key <str> in <str>'],
    ['GET https://api.example.com/v1/items?id=4 failed', 'GET <url> failed'],
    ['connect ECONNREFUSED 10.0.0.1:5432', 'connect ECONNREFUSED <ip>'],
    ['expired at 2026-12-03T10:15:00.123Z', 'expired at <date>'],
    ['order42 and  multiple\n\tspaces', 'order<num> and multiple spaces'],
    ['deadline exceeded', 'deadline exceeded'],
  ])('%s', (message, expected) => {
    expect(normalizeMessage(message)).toBe(expected);
  });

  it('cuts long messages first (bounded work)', () => {
    expect(normalizeMessage('x'.repeat(MAX_MESSAGE_LENGTH * 10))).toHaveLength(MAX_MESSAGE_LENGTH);
  });
});
