/** Server secrets, generated once and kept in the data folder (never in the repository). */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Keys { jwt: Uint8Array; csrf: Uint8Array }

function loadOrCreate(file: string): Buffer {
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length >= 32) return key;
  } catch { /* created below */ }
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'w' });
  return key;
}

export function loadKeys(dataDir: string): Keys {
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return { jwt: loadOrCreate(join(dir, 'jwt.key')), csrf: loadOrCreate(join(dir, 'csrf.key')) };
}
