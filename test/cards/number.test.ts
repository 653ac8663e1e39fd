// The cards write numbers as en-US does; whole numbers are grouped by hand, the rest by Intl.
import { describe, expect, it } from 'vitest';
import { number, signed } from '../../src/cards/cards.js';

describe('number', () => {
  it.each([0, -0, 1, -1, 7, 25, 999, -999, 1_000, -1_000, 5_175, 9_999, 10_000, 99_999, 100_000, 123_456, 999_999, 1_000_000, -23_822_221, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1.5, -1234.5678, Number.NaN, Infinity])(
    'writes %d as toLocaleString("en-US") does',
    (n) => {
      expect(number(n)).toBe(n.toLocaleString('en-US'));
    },
  );

  it('puts a plus before a gain and nothing before none', () => {
    expect([signed(1_500), signed(0), signed(-25)]).toEqual(['+1,500', '0', '-25']);
  });
});
