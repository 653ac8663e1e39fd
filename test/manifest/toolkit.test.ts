// The Agents Toolkit project files agree with the app package and the infrastructure: every ${{NAME}}
// the manifest uses is written by each toolkit path, and every parameter the Bicep template is given
// exists there and has a value in the environment files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../scripts/package-manifest.js';

const read = (path: string) => readFileSync(join(PROJECT_DIR, path), 'utf8');
const placeholders = (text: string) => new Set([...text.matchAll(/\$\{\{\s*(?:\w+:)?([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!));
/** NAME=… lines of an env file. */
const envNames = (path: string) => new Set([...read(path).matchAll(/^([A-Za-z0-9_]+)=/gm)].map((m) => m[1]!));
/** Names a toolkit file writes: `key: NAME` under writeToEnvironmentFile. */
const written = (text: string) => new Set([...text.matchAll(/writeToEnvironmentFile:\s*\n((?:\s+\w+: [A-Z0-9_]+\s*\n?)+)/g)].flatMap((m) => [...m[1]!.matchAll(/: ([A-Z0-9_]+)/g)].map((n) => n[1]!)));

const manifestNames = placeholders(read('manifest/manifest.json'));
const bicep = read('infra/azure.bicep');
const outputs = new Set([...bicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]!));

describe('Agents Toolkit project', () => {
  it('points every manifest action at manifest/', () => {
    for (const file of ['m365agents.yml', 'm365agents.local.yml']) {
      const paths = [...read(file).matchAll(/manifestPath: (\S+)/g)].map((m) => m[1]);
      expect(paths.length).toBeGreaterThan(0);
      for (const path of paths) expect(path).toBe('./manifest/manifest.json');
    }
    expect(existsSync(join(PROJECT_DIR, 'manifest', 'manifest.json'))).toBe(true);
  });

  it('fills every manifest placeholder on Azure: teamsApp/create and the outputs of infra/azure.bicep', () => {
    expect([...manifestNames].sort()).toEqual(['BOT_ID', 'TAB_DOMAIN', 'TEAMS_APP_ID']);
    const dev = new Set([...written(read('m365agents.yml')), ...outputs]);
    for (const name of manifestNames) expect(dev.has(name), name).toBe(true);
    for (const name of outputs) expect(envNames('env/.env.dev').has(name), name).toBe(true);
  });

  it('fills every manifest placeholder for F5 in Teams: teamsApp/create, aadApp/create and the dev tunnel', () => {
    const tunnel = JSON.parse(read('.vscode/tasks.json').replace(/^\s*\/\/.*$/gm, '').replace(/,\s*\/\/[^\n]*/g, ',').replace(/\s\/\/ [^\n]*/g, '')) as {
      tasks: { label: string; args?: { ports?: { writeToEnvironmentFile: Record<string, string> }[] } }[];
    };
    const ports = tunnel.tasks.find((t) => t.label === 'Start local tunnel')?.args?.ports ?? [];
    const local = new Set([...written(read('m365agents.local.yml')), ...ports.flatMap((p) => Object.values(p.writeToEnvironmentFile))]);
    for (const name of [...manifestNames, 'BOT_ENDPOINT']) expect(local.has(name), name).toBe(true);
  });

  it('gives infra/azure.bicep only parameters it declares, each from env/.env.dev or a SECRET_ of env/.env.dev.user', () => {
    const declared = new Set([...bicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]!));
    const parameters = JSON.parse(read('infra/azure.parameters.json')) as { parameters: Record<string, { value: string }> };
    const env = envNames('env/.env.dev');
    for (const [name, { value }] of Object.entries(parameters.parameters)) {
      expect(declared.has(name), name).toBe(true);
      for (const variable of placeholders(value)) expect(env.has(variable) || variable.startsWith('SECRET_'), variable).toBe(true);
    }
    // The secret reaches the bot only through a @secure() parameter.
    expect(bicep).toMatch(/@secure\(\)\s*\n(@description\([^\n]*\)\s*\n)?param eventsSecret string/);
  });

  it('runs one instance of the bot on Linux with the store under /home by default, several only on PostgreSQL, with the managed identity as its app id', () => {
    expect(bicep).toContain("linuxFxVersion: 'NODE|20-lts'");
    expect(bicep).toMatch(/^param instanceCount int = 1$/m);
    expect(bicep).toMatch(/^param usePostgres bool = false$/m);
    // More than one instance only on PostgreSQL: otherwise the deployment fails with the reason.
    expect(bicep).toMatch(/^var instances = usePostgres \|\| instanceCount == 1 \? instanceCount : int\('instanceCount above 1 needs usePostgres/m);
    expect(bicep).toMatch(/capacity: instances\b/);
    expect(bicep).toMatch(/numberOfWorkers: instances\b/);
    expect(bicep).toContain("healthCheckPath: '/healthz'");
    expect(bicep).toMatch(/name: 'DB_FILE'\s*\n\s*value: '\/home\/data\/db\.json'/);
    expect(bicep).toMatch(/name: 'MicrosoftAppType'\s*\n\s*value: 'UserAssignedMSI'/);
    expect(bicep).toMatch(/name: 'MicrosoftAppId'\s*\n\s*value: identity\.properties\.clientId/);
    // DATABASE_URL is empty (the JSON store) unless the optional Flexible Server is deployed.
    expect(bicep).toMatch(/name: 'DATABASE_URL'\s*\n\s*value: usePostgres \? 'postgres:\/\/[^']*sslmode=verify-full' : ''/);
    expect(bicep).toMatch(/resource postgres 'Microsoft\.DBforPostgreSQL\/flexibleServers@[\d-]+' = if \(usePostgres\)/);
    expect(bicep).toMatch(/@secure\(\)\s*\n(@description\([^\n]*\)\s*\n)?param postgresAdminPassword string/);
    const bot = read('infra/botRegistration/azurebot.bicep');
    expect(bot).toContain("msaAppType: 'UserAssignedMSI'");
    expect([...bot.matchAll(/channelName: '(\w+)'/g)].map((m) => m[1])).toEqual(['MsTeamsChannel']);
  });
});
