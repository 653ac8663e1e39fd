// The container's runtime, without a container engine: the Dockerfile is read, a build folder is laid
// out as its build stage lays it out (the context minus .dockerignore) and built with its RUN, an app
// folder as its runtime stage lays it out (its COPY lines, production dependencies only), and its CMD
// runs there with exactly its ENV. The image itself is not built here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../scripts/package-manifest.js';
import { tempDir } from '../support/temp.js';

const run = promisify(execFile);

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages: continuation lines joined, comments and blank lines left out. */
function readDockerfile(text: string): { args: Map<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword || rest === undefined) throw new Error(`Unreadable Dockerfile line: ${line}`);
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest) ?? [];
      stages.push({ image: image!.replace(/\$\{(\w+)\}/g, (_w, arg: string) => args.get(arg) ?? ''), name: name ?? '', instructions: [] });
    } else if (upper === 'ARG' && stages.length === 0) {
      const [name, value = ''] = rest.split('=');
      args.set(name!, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args: rest });
    }
  }
  return { args, stages };
}

const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const one = (stage: Stage, keyword: string) => {
  const found = all(stage, keyword);
  expect(found, `${stage.name}: one ${keyword}`).toHaveLength(1);
  return found[0]!;
};

/** ENV KEY=value KEY=value (values without spaces, as this Dockerfile writes them). */
function readEnv(stage: Stage): Record<string, string> {
  return Object.fromEntries(all(stage, 'ENV').flatMap((line) => line.split(/\s+/).map((pair) => pair.split('=') as [string, string])));
}

/** A .dockerignore pattern as a test of a path relative to the context (a folder's match covers what is in it). */
function ignored(patterns: string[]): (path: string) => boolean {
  const tests = patterns.map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}(/|$)`));
  return (path) => tests.some((t) => t.test(path));
}

/** `from`'s files hard-linked under `to` (copied across file systems); `keep` chooses among the top entries. */
function linkTree(from: string, to: string, keep: (name: string) => boolean = () => true): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (!keep(entry.name)) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else {
      try {
        linkSync(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        copyFileSync(source, target);
      }
    }
  }
}

const dockerfile = readDockerfile(readFileSync(join(PROJECT_DIR, 'Dockerfile'), 'utf8'));
const build = dockerfile.stages.find((s) => s.name === 'build')!;
const runtime = dockerfile.stages.at(-1)!;
const runtimeEnv = readEnv(runtime);
const cmd = JSON.parse(one(runtime, 'CMD')) as string[];
const workdir = one(runtime, 'WORKDIR');
const dataDir = one(runtime, 'VOLUME').replace(/^\["?|"?\]$/g, '');
const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('the Dockerfile', () => {
  it('builds in a build stage and runs a runtime stage with production dependencies, as node, on the volume', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    // The image's Node is the major version package.json's engines asks for.
    const major = /^>=(\d+)/.exec(pkg.engines.node)?.[1];
    for (const stage of dockerfile.stages) expect(stage.image).toMatch(new RegExp(`^node:${major}-bookworm-slim$`));
    expect(all(build, 'RUN')).toEqual(['npm ci --no-audit --no-fund', 'npm run build']);
    expect(all(runtime, 'RUN')[0]).toMatch(/^npm ci --omit=dev\b/);
    expect(one(runtime, 'USER')).toBe('node');
    expect(runtimeEnv).toEqual({ DB_FILE: `${dataDir}/db.json`, NODE_ENV: 'production', PORT: '3978' });
    expect(one(runtime, 'EXPOSE')).toBe(runtimeEnv.PORT);
    expect(all(runtime, 'RUN')).toContain(`mkdir ${dataDir} && chown node:node ${dataDir}`);
    // Exec form: node is the first process and gets the SIGTERM of `docker stop` itself.
    expect(cmd).toEqual(['node', '--disable-warning=DEP0111', '--enable-source-maps', '--max-old-space-size=256', 'dist/main.js']);
    expect(one(runtime, 'HEALTHCHECK')).toMatch(/ CMD \["node", "-e", /);
  });
});

describe('the runtime stage, laid out and run here', () => {
  const root = tempDir('container-');
  const buildDir = join(root, 'build');
  const appDir = join(root, 'app');
  const volume = join(root, 'volume');
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let output = '';
  let stderr = '';
  let url = '';
  let appBefore: string[] = [];

  /** The paths of `dir`, relative, sorted; node_modules left out. */
  const listing = (dir: string): string[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => !p.startsWith('node_modules')).sort();

  /** Where an image path of the runtime stage is in this layout. */
  const here = (path: string, stageDir: string) => resolve(stageDir, relative(workdir, resolve(workdir, path)));

  beforeAll(async () => {
    // Build stage: the context minus .dockerignore, the installed dependencies, `npm run build`.
    const dockerignore = readFileSync(join(PROJECT_DIR, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const skip = ignored(dockerignore);
    cpSync(PROJECT_DIR, buildDir, { recursive: true, filter: (source) => source === PROJECT_DIR || !skip(relative(PROJECT_DIR, source)) });
    symlinkSync(realpathSync(join(PROJECT_DIR, 'node_modules')), join(buildDir, 'node_modules'));
    await run('npm', ['run', '-s', 'build'], { cwd: buildDir });

    // Runtime stage: its COPY lines, from the build folder or the context.
    mkdirSync(appDir);
    for (const line of all(runtime, 'COPY')) {
      const parts = line.split(/\s+/);
      const from = parts[0]!.startsWith('--from=') ? parts.shift()!.slice('--from='.length) : undefined;
      expect(from === undefined || from === 'build').toBe(true);
      const target = parts.pop()!;
      for (const source of parts) {
        const path = from ? here(source, buildDir) : join(PROJECT_DIR, source);
        // A target ending in / is a folder the sources go into; otherwise the one source is copied as it.
        const into = target.endsWith('/') ? join(here(target, appDir), source.split('/').pop()!) : here(target, appDir);
        cpSync(path, into, { recursive: true });
      }
    }
    // `npm ci --omit=dev`, without the network: the packages npm lists as production dependencies,
    // hard-linked file by file (a symlinked folder would resolve to the full node_modules, where node
    // would find dev packages too).
    const modules = realpathSync(join(PROJECT_DIR, 'node_modules'));
    const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: dirname(modules), maxBuffer: 16 << 20 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }),
    );
    const packages = stdout.split('\n').filter((p) => p.startsWith(`${modules}/`));
    for (const name of Object.keys(pkg.dependencies)) expect(packages).toContain(join(modules, name));
    for (const path of packages) {
      linkTree(path, join(appDir, 'node_modules', relative(modules, path)), (name) => name !== 'node_modules');
    }
    mkdirSync(volume);
    appBefore = listing(appDir);

    // CMD with exactly the stage's ENV: the volume stands in for /data, and any free port for 3978.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: root };
    for (const [key, value] of Object.entries(runtimeEnv)) env[key] = value.startsWith(`${dataDir}/`) ? join(volume, value.slice(dataDir.length + 1)) : value;
    env.PORT = '0';
    child = spawn(cmd[0]!, cmd.slice(1), { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((done) => child!.once('exit', (code, signal) => done({ code, signal })));
    url = await new Promise<string>((done, fail) => {
      child!.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /bot ready on (http:\/\/127\.0\.0\.1:\d+)\/api\/messages/.exec(output);
        if (ready) done(ready[1]!);
      });
      void exited.then(({ code, signal }) => fail(new Error(`${cmd.join(' ')} ended with ${code ?? signal}:\n${output}${stderr}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }, 120_000);

  it('has production dependencies only', () => {
    const installed = new Set(readdirSync(join(appDir, 'node_modules')).flatMap((n) => (n.startsWith('@') ? readdirSync(join(appDir, 'node_modules', n)).map((s) => `${n}/${s}`) : [n])));
    for (const name of Object.keys(pkg.dependencies)) expect(installed.has(name), name).toBe(true);
    for (const name of ['vitest', 'typescript', 'tsx', 'eslint', '@microsoft/m365agentsplayground', 'playwright-core']) {
      expect(Object.keys(pkg.devDependencies)).toContain(name);
      expect(installed.has(name), name).toBe(false);
    }
  });

  it('answers /healthz, and the HEALTHCHECK command agrees', async () => {
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', members: 0, entries: 0 });
    const check = JSON.parse(one(runtime, 'HEALTHCHECK').replace(/^.*? CMD /, '')) as string[];
    const port = new URL(url).port;
    const { PATH } = process.env;
    await expect(run(check[0]!, check.slice(1), { cwd: appDir, env: { PATH, ...runtimeEnv, PORT: port } })).resolves.toBeDefined();
  });

  it('keeps the store on the volume and writes nothing into the app folder', () => {
    const files = readdirSync(volume);
    expect(files).toEqual(expect.arrayContaining(['db.json', 'db.json.lock']));
    for (const file of files) expect(file).toMatch(/^db\.json(\.journal\.\d+|\.lock)?$/);
    expect(JSON.parse(readFileSync(join(volume, 'db.json'), 'utf8'))).toMatchObject({ members: [], ledger: [] });
    expect(listing(appDir)).toEqual(appBefore);
  });

  it('stops on SIGTERM with exit 0, its lock released, nothing on stderr', async () => {
    child!.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/"msg":"stopped"/);
    // Not even restify's DEP0111 notice (it reads process.binding('http_parser')): the CMD turns that one off.
    expect(stderr).toBe('');
    expect(existsSync(join(volume, 'db.json.lock'))).toBe(false);
    expect(existsSync(join(volume, 'db.json'))).toBe(true);
  });
});
