// JSON values as they arrive from outside: a plain object, not null and not an array.
export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
