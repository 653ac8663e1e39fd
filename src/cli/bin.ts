import { run } from './main.js';

process.exitCode = await run(process.argv.slice(2), process.env, { out: (t) => console.log(t), err: (t) => console.error(t) }, new Date());
