import { describe, expect, it } from 'vitest';
import { isObject, sameJson } from '../../src/core/json.js';

describe('sameJson', () => {
  it.each([
    ['equal strings', 'a', 'a', true],
    ['different strings', 'a', 'b', false],
    ['a number and its text', 1, '1', false],
    ['null and an empty object', null, {}, false],
    ['objects with the same keys in another order', { a: 1, b: { c: 'x', d: 'y' } }, { b: { d: 'y', c: 'x' }, a: 1 }, true],
    ['a nested value differs', { a: { b: 'x' } }, { a: { b: 'y' } }, false],
    ['one key more', { a: 1 }, { a: 1, b: 2 }, false],
    ['one key more on the left', { a: 1, b: 2 }, { a: 1 }, false],
    ['the same count of different keys', { a: 1 }, { b: 1 }, false],
    ['a key holding undefined counts as absent', { a: 1, b: undefined }, { a: 1 }, true],
    ['undefined is not null', { a: undefined }, { a: null }, false],
    ['arrays item by item', [1, { a: 'x' }], [1, { a: 'x' }], true],
    ['arrays in another order', [1, 2], [2, 1], false],
    ['an array is not an object with index keys', ['x'], { 0: 'x' }, false],
    ['an empty array is not an empty object', [], {}, false],
  ])('%s', (_name, a, b, same) => {
    expect(sameJson(a, b)).toBe(same);
    expect(sameJson(b, a)).toBe(same);
  });
});

describe('isObject', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [null, false],
    [[], false],
    ['{}', false],
    [1, false],
  ])('%j → %s', (value, expected) => expect(isObject(value)).toBe(expected));
});
