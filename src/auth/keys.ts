/** Server secrets, generated once and kept in the data folder (never in the repository). */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KeyRing, type KeyRingData } from './secret-box.ts';

export interface Keys { jwt: Uint8Array; csrf: Uint8Array }

/**
 * Writes `content` to `file` only if no file is there yet, whole or not at all: written aside,
 * then hard-linked into place, which fails when another process got there first. Several
 * processes starting at once on an empty volume thus agree on one key: the first one's.
 */
function createExclusive(file: string, content: string): void {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  writeFileSync(aside, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(aside, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(aside, { force: true });
  }
}

function loadOrCreate(file: string): Buffer {
  try {
    return readKey(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  createExclusive(file, randomBytes(32).toString('base64') + '\n');
  return readKey(file);
}

function readKey(file: string): Buffer {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length < 32) throw new Error(`the key in ${file} is shorter than 32 bytes; remove it to have a new one made (sessions signed with it end)`);
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
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  createExclusive(file, JSON.stringify(KeyRing.fresh().toJSON()) + '\n');
  // Read back: when another process created it a moment earlier, its ring is the one.
  return new KeyRing(JSON.parse(readFileSync(file, 'utf8')) as KeyRingData);
}

/** Written to a temporary file and renamed, so a crash never leaves half a key ring. */
export function saveKeyRing(file: string, ring: KeyRing): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, JSON.stringify(ring.toJSON()) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
