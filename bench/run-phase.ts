// Runs a phase of bench/phase.ts in its own process, as in production (the CLI imports; the bot loads,
// queries and writes), compiled as `npm start` and `npm run cli` run the product.
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';

/** Compiles the phases; call once before runPhase. */
export function buildPhase(): void {
  buildSync({ entryPoints: ['bench/phase.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: 'dist/bench-phase.js', logLevel: 'warning' });
}

/** The phase's measures, with its own peak RSS (rssMiB). */
export function runPhase(name: string, db: string, extra: string[] = []): Record<string, number> {
  // The same heap budget as the npm start and cli scripts.
  const heap = `--max-old-space-size=${process.env.HEAP_LIMIT_MB ?? 256}`;
  const child = spawnSync(process.execPath, [heap, 'dist/bench-phase.js', name, db, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`phase ${name} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}
