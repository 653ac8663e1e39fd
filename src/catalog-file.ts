// Reads a rule catalog file; an invalid one stops with the file and every offending entry named.
import { readFileSync } from 'node:fs';
import { parseCatalog, type Catalog } from './core/catalog.js';

export class CatalogFileError extends Error {}

export function loadCatalog(file: string): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be read as JSON (${(error as Error).message})`;
    throw new CatalogFileError(`The rule catalog ${file} ${reason}.`);
  }
  const result = parseCatalog(raw);
  if (!result.ok) throw new CatalogFileError(`The rule catalog ${file} is invalid:\n${result.problems.map((p) => `  ${p}`).join('\n')}`);
  return result.catalog;
}
