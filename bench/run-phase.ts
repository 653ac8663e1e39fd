// Runs a phase of bench/phase.ts in its own process, as in production (the CLI imports; the bot loads,
// queries and writes), compiled as `npm start` and `npm run cli` run the product.
import { spawnSync } from 'node:child_process';
import { buildSync } from 'esbuild';

/** Where the compiled phases start. */
export const PHASE_SCRIPT = 'dist/bench-phase.js';

/**
 * Compiles the phases; call once before runPhase. Split in chunks so that a module a phase loads with
 * import() (the planning pass's cards) loads its packages only then, and the other phases' RSS does
 * not count them. Beside the product's own build in dist/, as the rule catalog is found from there.
 */
export function buildPhase(): void {
  buildSync({ entryPoints: ['bench/phase.ts'], bundle: true, splitting: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outdir: 'dist', entryNames: 'bench-phase', chunkNames: 'bench-phase-[name]', logLevel: 'warning' });
}

/** The phase's measures, with its own peak RSS (rssMiB). */
export function runPhase(name: string, db: string, extra: string[] = []): Record<string, number> {
  // The same heap budget as the npm start and cli scripts.
  const heap = `--max-old-space-size=${process.env.HEAP_LIMIT_MB ?? 256}`;
  const child = spawnSync(process.execPath, [heap, PHASE_SCRIPT, name, db, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`phase ${name} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}
