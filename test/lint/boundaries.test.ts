// The layers' import boundaries are eslint rules (eslint.config.js): each row lints a small file at a
// path inside a layer, so a rule that stops matching (a renamed folder, a broken pattern) fails here
// instead of letting the boundary go quietly.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: fileURLToPath(new URL('../../', import.meta.url)) });

/** The boundary errors eslint reports for `code` written at `file` (nothing is written to disk). */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const BOTBUILDER = /botbuilder belongs to the Teams glue/;
const PURE_CORE = /src\/core\/ is pure/;
const STORE_WRITES = /src\/bot\/ does not write to the store/;

describe('botbuilder stays in the Teams glue', () => {
  it.each([
    ['src/cards/cards.ts', "import { CardFactory } from 'botbuilder';"],
    ['src/cards/templates.ts', "import type { Attachment } from 'botbuilder';"],
    ['src/services/members.ts', "import { TurnContext } from 'botbuilder';"],
    ['src/api/me-summary.ts', "import { CardFactory } from 'botbuilder';"],
    ['src/cli/main.ts', "import { CloudAdapter } from 'botbuilder';"],
    ['src/notify/messages.ts', "export { CardFactory } from 'botbuilder';"],
    ['src/events/route.ts', "import { ActivityTypes } from 'botbuilder-core';"],
    ['src/main.ts', "import { CloudAdapter } from 'botbuilder';"],
  ])('%s may not import it: %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([expect.stringMatching(BOTBUILDER)]);
  });

  it.each([
    ['src/bot/bot.ts', "import { CardFactory } from 'botbuilder';"],
    ['src/bot/messages-route.ts', "import { CloudAdapter } from 'botbuilder';"],
    ['src/notify/transport.ts', "import { CloudAdapter } from 'botbuilder';"],
    ['src/server.ts', "import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';"],
  ])('%s may: %s', async (file, code) => {
    expect(await boundaryErrors(file, code)).toEqual([]);
  });
});

describe('src/core imports only luxon, zod and core files', () => {
  it.each([
    "import type { State } from '../store/state.js';",
    "import { Store } from '../store/store.js';",
    "import { COMMANDS } from '../bot/command-list.js';",
    "import { levelName } from '../cards/cards.js';",
    "import { importRecords } from '../services/import-records.js';",
    "import { runPass } from '../notify/pass.js';",
    "import { addTabRoutes } from '../api/routes.js';",
    "import { readConfig } from '../config.js';",
    "import { readFileSync } from 'node:fs';",
    "import { randomUUID } from 'crypto';",
    "import { CardFactory } from 'botbuilder';",
    "import restify from 'restify';",
    "import { pino } from 'pino';",
    "import { Low } from 'lowdb';",
    "export { DateTime } from 'luxon/src/datetime.js';",
  ])('refuses %s', async (code) => {
    expect(await boundaryErrors('src/core/lifecycle.ts', code)).toEqual([expect.stringMatching(PURE_CORE)]);
  });

  it.each(["import { DateTime } from 'luxon';", "import { z } from 'zod';", "import type { Catalog } from './catalog.js';"])('allows %s', async (code) => {
    expect(await boundaryErrors('src/core/lifecycle.ts', code)).toEqual([]);
  });
});

describe("src/bot uses the store's types, never its write API", () => {
  it.each([
    "import { Rollback } from '../store/store.js';",
    "import { Rollback, type Store } from '../store/store.js';",
    "import * as store from '../store/store.js';",
    "export { Store } from '../store/store.js';",
    "import { Rollback } from '../store/contract.js';",
    "import { openStore } from '../store/open-store.js';",
    "import { PgStore } from '../store/pg-store.js';",
  ])('refuses %s', async (code) => {
    expect(await boundaryErrors('src/bot/app.ts', code)).toEqual([expect.stringMatching(STORE_WRITES)]);
  });

  it.each([
    "import type { Store } from '../store/store.js';",
    "import { type Store } from '../store/store.js';",
    "import type { PointsStore } from '../store/contract.js';",
    "import type { State } from '../store/state.js';",
  ])(
    'allows %s',
    async (code) => {
      expect(await boundaryErrors('src/bot/conversations.ts', code)).toEqual([]);
    },
  );
});
