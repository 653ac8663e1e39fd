import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The layers' import boundaries (README, Layout); test/lint/boundaries.test.ts checks each rule still fires.
/** botbuilder is the Teams glue's: the bot, the proactive sender and the server that hosts them. */
const TEAMS_GLUE = ['src/bot/**', 'src/notify/transport.ts', 'src/server.ts'];
const botbuilder = {
  regex: '^botbuilder(-[a-z-]+)?(/.*)?$',
  message: 'botbuilder belongs to the Teams glue (src/bot/, src/notify/transport.ts, src/server.ts): return plain data (a card is JSON) and let the glue wrap it.',
};
const pureCore = {
  // Anything but luxon, zod and a sibling file: no other layer, no Node built-in, no I/O library.
  regex: '^(?!(luxon|zod)$|\\./)',
  message: 'src/core/ is pure: it imports only luxon, zod and other core files. Pass it the data (and the instant) instead.',
};
const storeWrites = {
  regex: '^(\\.\\./)+store/(store|contract|open-store|pg-store)(\\.js)?$',
  allowTypeImports: true,
  message: "src/bot/ does not write to the store: call a use case in src/services/ (a type import of '../store/store.js' or '../store/contract.js' is fine).",
};

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'coverage/', 'dist/'] },
  js.configs.recommended,
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: globals.node } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  // A later block replaces an earlier one's options for the same rule: each block lists all its patterns.
  { files: ['src/**/*.ts'], ignores: TEAMS_GLUE, rules: { 'no-restricted-imports': ['error', { patterns: [botbuilder] }] } },
  { files: ['src/core/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [pureCore] }] } },
  { files: ['src/bot/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [storeWrites] }] } },
);
