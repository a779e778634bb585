/**
 * Opening the store as the composition roots do: the key ring that seals its secrets is loaded
 * here, from the data folder (or the file LDAPSYNC_SECRET_KEY_FILE names), and handed in as the
 * store's `SecretCipher`. The store itself knows no key file; it is given a cipher.
 */
import type { SecretCipher } from './domain/secret-cipher.ts';
import { keyRingPath } from './auth/keys.ts';
import { KeyRingFile } from './auth/key-ring-file.ts';
import { openStoreWith, type Store } from './store/store.ts';
import type { StoreLocation } from './store/database.ts';

export type { Store };

/** The key ring of a data folder (created on first use), as every process that opens the store reads it. */
export function keyRingOf(dataDir: string, keyFile: string | null = null): SecretCipher {
  return new KeyRingFile(keyRingPath(dataDir, keyFile));
}

/** Opens the store; secrets are sealed with the given cipher, else the key ring in the data folder. */
export function openStore(location: StoreLocation & { cipher?: SecretCipher; keyFile?: string | null }): Promise<Store> {
  // A store on a cipher of the caller's own cannot be reopened from its location alone.
  const reopen = location.cipher ? null : { databaseUrl: location.databaseUrl ?? null, dataDir: location.dataDir, keyFile: location.keyFile ?? null, ...(location.schema ? { schema: location.schema } : {}) };
  return openStoreWith({ ...location, cipher: location.cipher ?? keyRingOf(location.dataDir, location.keyFile ?? null), reopen });
}
