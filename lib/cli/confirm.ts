/**
 * The y/N question `apply` asks before deleting when `--yes` was not given.
 */
import { createInterface } from 'node:readline/promises';
import type { InStream, OutStream } from './io.js';

/**
 * Asks `question` and resolves true only for an explicit yes (`y` or `yes`, any case). Anything
 * else, an empty line or end of input is a no: deleting is never the default.
 */
export async function confirm(input: InStream, output: OutStream, question: string): Promise<boolean> {
  const rl = createInterface({ input, output, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      // End of input (Ctrl-D, closed pipe) answers no instead of hanging or throwing.
      rl.once('close', () => resolve(''));
      output.write(`${question} [y/N] `);
      rl.once('line', (line) => resolve(line));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
