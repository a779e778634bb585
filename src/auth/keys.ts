/** Server secrets, generated once and kept in the data folder (never in the repository). */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeyRing, type KeyRingData } from './secret-box.ts';

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

/** Where the secrets key ring lives: its own file, by default beside (not inside) the database. */
export const keyRingPath = (dataDir: string, override: string | null = null): string => override ?? join(dataDir, 'keys', 'secrets.json');

export function loadKeyRing(file: string): KeyRing {
  try {
    return new KeyRing(JSON.parse(readFileSync(file, 'utf8')) as KeyRingData);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the secrets key ring ${file}: ${(e as Error).message}`, { cause: e });
    const ring = KeyRing.fresh();
    saveKeyRing(file, ring);
    return ring;
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a key ring. */
export function saveKeyRing(file: string, ring: KeyRing): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, JSON.stringify(ring.toJSON()) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
