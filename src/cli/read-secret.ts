/** Reads a secret from the terminal without echo, or the first line of standard input. */
import { createInterface } from 'node:readline';

export async function readSecret(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const rl = createInterface({ input });
    for await (const line of rl) { rl.close(); return line.trim(); }
    return '';
  }
  process.stderr.write(prompt);
  input.setRawMode(true);
  let secret = '';
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      for (const c of chunk.toString('utf8')) {
        if (c === '\r' || c === '\n') { input.setRawMode(false); input.off('data', onData); input.pause(); process.stderr.write('\n'); resolve(secret); return; }
        if (c === '\u0003') process.exit(130);
        if (c === '\u007f') secret = secret.slice(0, -1); else secret += c;
      }
    };
    input.on('data', onData);
    input.resume();
  });
}
