import type { Config } from '../config.ts';

export async function serve(_config: Readonly<Config>, _argv: string[]): Promise<number> {
  console.error('ldapsync: serve is not built yet');
  return 2;
}
