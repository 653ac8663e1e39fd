// Builds the Teams app package: dist/app-package.zip with manifest.json, color.png and outline.png
// at its root. The manifest's ${{NAME}} placeholders are filled from the environment (BOT_ID is
// required, TEAMS_APP_ID has a default), and the result is checked against the vendored schema
// before anything is written.
//
//   BOT_ID=<guid> TAB_DOMAIN=<host> [TEAMS_APP_ID=<guid>] npm run -s package [-- --out FILE]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { strToU8, zipSync } from 'fflate';

export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_DIR = join(PROJECT_DIR, 'manifest');
/** The official Teams manifest schema, copied from the npm package @microsoft/app-manifest@1.1.2
 * (build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json). JSON Schema draft-04. */
export const SCHEMA_FILE = join(MANIFEST_DIR, 'MicrosoftTeams.v1.30.schema.json');
export const DEFAULT_OUT = join(PROJECT_DIR, 'dist', 'app-package.zip');
/** The files of the package, all at the zip's root. */
export const PACKAGE_FILES = ['manifest.json', 'color.png', 'outline.png'] as const;

/** The app's id when TEAMS_APP_ID is not set: one fixed id, so every package is the same app. */
export const DEFAULT_TEAMS_APP_ID = '6fe34a53-da77-441a-a6d5-89d0115b4999';

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const PLACEHOLDER = /\$\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** A problem the person running the script can fix; its message is a sentence. */
export class PackageError extends Error {}

/** The placeholder values from the environment: a sentence for a missing or malformed one. */
export function placeholderValues(env: NodeJS.ProcessEnv): Record<string, string> {
  const botId = env.BOT_ID?.trim();
  if (!botId) {
    throw new PackageError(
      "BOT_ID is not set: set it to the bot's Microsoft App ID (a GUID); a Teams app package without a bot id cannot be sideloaded.",
    );
  }
  const appId = env.TEAMS_APP_ID?.trim() || DEFAULT_TEAMS_APP_ID;
  const values: Record<string, string> = { BOT_ID: botId, TEAMS_APP_ID: appId };
  for (const [name, value] of Object.entries(values)) {
    if (!GUID.test(value)) throw new PackageError(`${name} must be a GUID such as ${DEFAULT_TEAMS_APP_ID} (got "${value}").`);
  }
  const tabDomain = env.TAB_DOMAIN?.trim().toLowerCase();
  if (!tabDomain) {
    throw new PackageError('TAB_DOMAIN is not set: set it to the host name of the bot\'s server (e.g. points.example.com), where Teams loads the My points tab and its sign-in.');
  }
  if (!HOST_NAME.test(tabDomain)) throw new PackageError(`TAB_DOMAIN must be a host name such as points.example.com, without https:// or a path (got "${tabDomain}").`);
  return { ...values, TAB_DOMAIN: tabDomain };
}

/** The manifest text with every ${{NAME}} replaced; a placeholder without a value is an error. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  const missing = new Set<string>();
  const filled = text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return JSON.stringify(value).slice(1, -1);
  });
  if (missing.size > 0) throw new PackageError(`manifest.json uses ${[...missing].join(', ')}, which this script does not fill.`);
  return filled;
}

/** A validator for the official schema: the errors of a manifest, one line each (none when valid). */
export function manifestValidator(): (manifest: unknown) => string[] {
  const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  // The schema is draft-04 with a few object schemas that leave out "type": strictTypes off; unknown
  // keywords are still refused (strictSchema), so a schema Ajv would half-read cannot pass silently.
  const ajv = new AjvDraft04.default({ allErrors: true, strictSchema: true, strictTypes: false, strictTuples: false, strictRequired: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (manifest) => {
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  };
}

/** The zip's bytes and the manifest it holds, built from manifest/ and the environment. */
export function buildPackage(env: NodeJS.ProcessEnv): { zip: Uint8Array; manifest: unknown } {
  const values = placeholderValues(env);
  const text = fillPlaceholders(readFileSync(join(MANIFEST_DIR, 'manifest.json'), 'utf8'), values);
  const manifest: unknown = JSON.parse(text);
  const errors = manifestValidator()(manifest);
  if (errors.length > 0) {
    throw new PackageError(`manifest/manifest.json does not match the Teams manifest schema v1.30:\n  ${errors.join('\n  ')}`);
  }
  // A fixed time stamp makes the same inputs give the same bytes.
  const mtime = new Date('2000-01-01T00:00:00Z');
  const zip = zipSync(
    {
      'manifest.json': strToU8(text),
      'color.png': [readFileSync(join(MANIFEST_DIR, 'color.png')), { level: 0 }],
      'outline.png': [readFileSync(join(MANIFEST_DIR, 'outline.png')), { level: 0 }],
    },
    { level: 9, mtime },
  );
  return { zip, manifest };
}

function main(argv: string[], env: NodeJS.ProcessEnv): number {
  let out = DEFAULT_OUT;
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (argv[i] === '--out' && next !== undefined) {
      out = resolve(env.INIT_CWD ?? process.cwd(), next);
      i++;
    } else {
      console.error(`Unknown argument "${argv[i]}": the only option is --out FILE.`);
      return 1;
    }
  }
  try {
    const { zip } = buildPackage(env);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, zip);
    console.log(`Wrote ${relative(process.cwd(), out) || out} (${PACKAGE_FILES.join(', ')}).`);
    return 0;
  } catch (error) {
    if (error instanceof PackageError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2), process.env);
}
