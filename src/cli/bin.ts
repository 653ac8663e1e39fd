import { run } from './main.js';

const io = {
  out: (t: string) => console.log(t),
  err: (t: string) => console.error(t),
  stdout: process.stdout,
  // Progress shares stderr with the sentences; it is redrawn in place only on a terminal.
  progress: { write: (t: string) => void process.stderr.write(t), isTTY: process.stderr.isTTY === true },
};
process.exitCode = await run(process.argv.slice(2), process.env, io, new Date());
