import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { strFromU8, unzipSync } from 'fflate';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/bot/command-list.js';
import { readConfig } from '../../src/config.js';
import {
  DEFAULT_TEAMS_APP_ID,
  fillPlaceholders,
  MANIFEST_DIR,
  manifestValidator,
  PACKAGE_FILES,
  PROJECT_DIR,
  SCHEMA_FILE,
} from '../../scripts/package-manifest.js';
import { childTmp, tempDir } from '../support/temp.js';

const BOT_ID = '0b6b0a7e-2f63-4c1e-9d1a-3c5e8f1a2b4c';
const APP_ID = 'c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f';
const TAB_DOMAIN = 'points.example.com';

interface Command {
  title: string;
  description?: string;
}
interface Manifest {
  manifestVersion: string;
  id: string;
  name: { short: string; full?: string };
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  staticTabs: { entityId: string; name?: string; contentUrl?: string; scopes: string[] }[];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
  bots: { botId: string; scopes: string[]; supportsFiles?: boolean; isNotificationOnly?: boolean; commandLists: { scopes: string[]; commands: Command[] }[] }[];
}

const rawManifest = readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8');
/** manifest.json as packaged, with sample ids. */
function sample(): Manifest {
  return JSON.parse(fillPlaceholders(rawManifest, { TEAMS_APP_ID: APP_ID, BOT_ID, TAB_DOMAIN })) as Manifest;
}
const validate = manifestValidator();

describe('manifest.json', () => {
  it('uses the schema that is vendored, v1.30, and only the placeholders the script fills', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as { $schema: string; properties: { manifestVersion: { const: string } } };
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.properties.manifestVersion.const).toBe('1.30');
    const raw = JSON.parse(rawManifest) as Manifest & { $schema: string };
    expect(raw.manifestVersion).toBe('1.30');
    expect(raw.$schema).toBe('https://developer.microsoft.com/en-us/json-schemas/teams/v1.30/MicrosoftTeams.schema.json');
    expect(raw.id).toBe('${{TEAMS_APP_ID}}');
    expect(raw.bots[0]?.botId).toBe('${{BOT_ID}}');
    expect(() => fillPlaceholders(rawManifest, { BOT_ID, TAB_DOMAIN })).toThrow(/TEAMS_APP_ID/);
    expect(() => fillPlaceholders(rawManifest, { BOT_ID, TEAMS_APP_ID: APP_ID })).toThrow(/TAB_DOMAIN/);
  });

  it('is valid against the official schema once its placeholders are filled', () => {
    expect(validate(sample())).toEqual([]);
  });

  it('is valid with the default app id', () => {
    expect(validate(JSON.parse(fillPlaceholders(rawManifest, { TEAMS_APP_ID: DEFAULT_TEAMS_APP_ID, BOT_ID, TAB_DOMAIN })))).toEqual([]);
  });

  it('fails validation when it is wrong, so the check above means something', () => {
    const noBotId = sample();
    delete (noBotId.bots[0] as Partial<Manifest['bots'][number]>).botId;
    expect(validate(noBotId).join('\n')).toMatch(/botId/);

    const longName = sample();
    longName.name.short = 'x'.repeat(200);
    expect(validate(longName).join('\n')).toMatch(/\/name\/short must NOT have more than 30 characters/);

    const unfilled = JSON.parse(rawManifest) as unknown;
    expect(validate(unfilled).join('\n')).toMatch(/\/id must match pattern/);

    const oldVersion = { ...sample(), manifestVersion: '1.17' };
    expect(validate(oldVersion).join('\n')).toMatch(/\/manifestVersion must be equal to constant/);

    const unknownField = { ...sample(), botFramework: true };
    expect(validate(unknownField).join('\n')).toMatch(/must NOT have additional properties/);

    const badUrl = sample() as Manifest & { developer: { privacyUrl: string } };
    badUrl.developer.privacyUrl = 'community.dataminer.services/privacy';
    expect(validate(badUrl).join('\n')).toMatch(/\/developer\/privacyUrl must match pattern/);
  });

  it('declares a conversational bot in personal, team and group chat that takes no files', () => {
    const m = sample();
    expect(m.bots).toHaveLength(1);
    const bot = m.bots[0]!;
    expect(bot.botId).toBe(BOT_ID);
    expect([...bot.scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(bot.supportsFiles).toBe(false);
    expect(bot.isNotificationOnly).toBe(false);
    expect(m.name).toEqual({ short: 'DevOps Points', full: 'DevOps Points for the DataMiner community' });
    expect(m.description.short.length).toBeLessThanOrEqual(80);
    expect(m.description.full.length).toBeLessThanOrEqual(4000);
    for (const topic of ['/points', 'administrator', 'anniversary', 'level']) expect(m.description.full).toContain(topic);
    expect(m.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
  });

  it('lists every non-admin command of COMMANDS that is in the menu, with its description, and nothing else', () => {
    const bot = sample().bots[0]!;
    const listed = COMMANDS.filter((c) => !c.admin && c.inMenu !== false).map((c) => ({ title: c.name, description: c.description }));
    const admin = new Set(COMMANDS.filter((c) => c.admin).map((c) => c.name));
    expect(listed.length).toBeGreaterThan(0);
    expect(admin.size).toBeGreaterThan(0);
    expect(bot.commandLists.length).toBeGreaterThan(0);
    // Every scope of the bot has its list, and no list names a scope the bot is not in.
    expect(bot.commandLists.flatMap((l) => l.scopes).sort()).toEqual([...bot.scopes].sort());
    for (const list of bot.commandLists) {
      expect(list.commands.length).toBeLessThanOrEqual(10); // Teams shows at most 10 per list
      expect(list.commands).toEqual(listed); // same commands, same words, same order as COMMANDS
      for (const command of list.commands) expect(admin.has(command.title)).toBe(false);
    }
  });

  it('keeps out of the menu only member commands, as few as the limit of 10 needs', () => {
    const members = COMMANDS.filter((c) => !c.admin);
    const outOfMenu = members.filter((c) => c.inMenu === false).map((c) => c.name);
    expect(outOfMenu).toEqual(['join']);
    expect(members.length - outOfMenu.length).toBe(10);
    expect(COMMANDS.filter((c) => c.admin && c.inMenu === false)).toEqual([]);
  });
});

describe('the personal tab in the manifest', () => {
  it('pins My points next to the chat, served from TAB_DOMAIN under /tab', () => {
    const m = sample();
    expect(m.staticTabs).toEqual([
      { entityId: 'my-points', name: 'My points', contentUrl: `https://${TAB_DOMAIN}/tab`, scopes: ['personal'] },
      { entityId: 'conversations', scopes: ['personal'] },
    ]);
    expect(m.validDomains).toEqual([TAB_DOMAIN]);
  });

  it("signs in with the bot's app registration: the App ID URI the server checks as TAB_APP_ID_URI", () => {
    const m = sample();
    expect(m.webApplicationInfo).toEqual({ id: BOT_ID, resource: `api://${TAB_DOMAIN}/botid-${BOT_ID}` });
    const raw = JSON.parse(rawManifest) as Manifest;
    expect(raw.webApplicationInfo).toEqual({ id: '${{BOT_ID}}', resource: 'api://${{TAB_DOMAIN}}/botid-${{BOT_ID}}' });
    // The server's readConfig takes the client id from the end of that URI: the same registration.
    expect(readConfig({ TAB_APP_ID_URI: m.webApplicationInfo.resource }).sso?.audiences).toEqual([m.webApplicationInfo.resource, BOT_ID]);
  });

  it('fails validation with a tab that is wrong', () => {
    const longName = sample();
    longName.staticTabs[0]!.name = 'x'.repeat(200);
    expect(validate(longName).join('\n')).toMatch(/\/staticTabs\/0\/name must NOT have more than 128 characters/);
    const badId = sample();
    badId.webApplicationInfo.id = 'points';
    expect(validate(badId).join('\n')).toMatch(/\/webApplicationInfo\/id must match pattern/);
  });
});

describe('icons', () => {
  const read = (file: string) => PNG.sync.read(readFileSync(join(MANIFEST_DIR, file)));

  it('color.png is a 192×192 full-colour icon', () => {
    const png = read('color.png');
    expect([png.width, png.height]).toEqual([192, 192]);
    const colours = new Set<number>();
    let seeThrough = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      if (png.data[i + 3] !== 255) seeThrough++;
      colours.add(png.data.readUInt32BE(i));
    }
    expect(seeThrough).toBe(0); // opaque: a full-colour background
    expect(colours.size).toBeGreaterThan(2);
  });

  it('outline.png is 32×32, white on transparent', () => {
    const png = read('outline.png');
    expect([png.width, png.height]).toEqual([32, 32]);
    let white = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
      if (a === 0) continue; // fully transparent: any colour values are invisible
      expect([r, g, b]).toEqual([255, 255, 255]);
      white++;
    }
    expect(white).toBeGreaterThan(32); // there is a shape to see
    expect(white).toBeLessThan(32 * 32); // and a transparent background around it
  });
});

describe('npm run package', () => {
  const run = promisify(execFile);
  /** The environment without the ids a developer may have set, plus `extra`; tsx's cache goes to a temp folder of its own. */
  function env(extra: Record<string, string>): NodeJS.ProcessEnv {
    const { BOT_ID: _b, TEAMS_APP_ID: _a, TAB_DOMAIN: _t, ...rest } = process.env;
    return { ...rest, ...childTmp(), ...extra };
  }

  it('builds a zip of exactly manifest.json, color.png and outline.png, with the ids filled in', async () => {
    const out = join(tempDir('app-package-'), 'app-package.zip');
    const { stdout } = await run('npm', ['run', '-s', 'package', '--', '--out', out], { cwd: PROJECT_DIR, env: env({ BOT_ID, TAB_DOMAIN }) });
    expect(stdout).toContain('app-package.zip');
    const files = unzipSync(readFileSync(out));
    expect(Object.keys(files).sort()).toEqual([...PACKAGE_FILES].sort());
    const packaged = JSON.parse(strFromU8(files['manifest.json']!)) as Manifest;
    expect(packaged.bots[0]?.botId).toBe(BOT_ID);
    expect(packaged.id).toBe(DEFAULT_TEAMS_APP_ID);
    expect(packaged.validDomains).toEqual([TAB_DOMAIN]);
    expect(strFromU8(files['manifest.json']!)).not.toContain('${{');
    expect(validate(packaged)).toEqual([]);
    for (const icon of ['color.png', 'outline.png']) expect(Buffer.from(files[icon]!).equals(readFileSync(join(MANIFEST_DIR, icon)))).toBe(true);
  });

  it('takes the app id from TEAMS_APP_ID', async () => {
    const out = join(tempDir('app-package-'), 'app-package.zip');
    await run('npm', ['run', '-s', 'package', '--', '--out', out], { cwd: PROJECT_DIR, env: env({ BOT_ID, TAB_DOMAIN, TEAMS_APP_ID: APP_ID }) });
    const packaged = JSON.parse(strFromU8(unzipSync(readFileSync(out))['manifest.json']!)) as Manifest;
    expect(packaged.id).toBe(APP_ID);
    expect(packaged.bots[0]?.botId).toBe(BOT_ID);
  });

  it('refuses without BOT_ID: exit 1, a sentence on stderr, no zip', async () => {
    const out = join(tempDir('app-package-'), 'app-package.zip');
    const failure = await run('npm', ['run', '-s', 'package', '--', '--out', out], { cwd: PROJECT_DIR, env: env({}) }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/^BOT_ID is not set: .*cannot be sideloaded\.$/m);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses without TAB_DOMAIN, or with a URL in it', async () => {
    const out = join(tempDir('app-package-'), 'app-package.zip');
    for (const [extra, sentence] of [
      [{ BOT_ID }, /^TAB_DOMAIN is not set: .*My points tab and its sign-in\.$/m],
      [{ BOT_ID, TAB_DOMAIN: 'https://points.example.com/' }, /^TAB_DOMAIN must be a host name such as points\.example\.com/m],
    ] as const) {
      const failure = await run('npm', ['run', '-s', 'package', '--', '--out', out], { cwd: PROJECT_DIR, env: env(extra) }).then(
        () => undefined,
        (error: unknown) => error as { code: number; stderr: string },
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toMatch(sentence);
    }
    expect(existsSync(out)).toBe(false);
  });
});
