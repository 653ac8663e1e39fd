// Setup file of every test file: removes the temp folders the file made, once its own hooks are done
// (vitest runs afterAll hooks in reverse order, so this one, registered first, runs last).
import { afterAll } from 'vitest';
import { removeTemp } from './temp.js';

afterAll(removeTemp);
