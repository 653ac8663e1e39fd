// The one parser of whole numbers written as text (settings, arguments, headers).
import { describe, expect, it } from 'vitest';
import { parseInteger, parseWholeNumber } from '../../src/core/numbers.js';

describe('parseWholeNumber()', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['007', 7],
    ['3978', 3978],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d', (text, expected) => {
    expect(parseWholeNumber(text)).toBe(expected);
  });

  it.each([
    ['', 'nothing'],
    [' 7', 'a space before'],
    ['7 ', 'a space after'],
    ['-1', 'a sign'],
    ['+1', 'a plus sign'],
    ['1.0', 'a decimal point'],
    ['1.5', 'a fraction'],
    ['1e3', 'an exponent'],
    ['0x10', 'hexadecimal'],
    ['1_000', 'a separator'],
    ['12abc', 'trailing letters'],
    ['٣', 'digits of another script'],
    ['9007199254740992', 'past 2^53 - 1'],
  ])('refuses %j (%s)', (text) => {
    expect(parseWholeNumber(text)).toBeNull();
  });
});

describe('parseInteger()', () => {
  it.each([
    ['0', 0],
    ['40', 40],
    ['-40', -40],
    ['-9007199254740991', -Number.MAX_SAFE_INTEGER],
  ])('reads %j as %d', (text, expected) => {
    expect(parseInteger(text)).toBe(expected);
  });

  it.each([['-'], ['--1'], ['+1'], ['- 1'], ['-1.0'], ['-1e3'], [''], ['1-']])('refuses %j', (text) => {
    expect(parseInteger(text)).toBeNull();
  });
});
