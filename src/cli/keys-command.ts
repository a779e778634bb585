/** `ldapsync keys rotate`: a new key for secrets at rest, every secret re-encrypted, the old key retired. */
import type { Config } from '../config.ts';
import { keyRingPath, loadKeyRing, saveKeyRing } from '../auth/keys.ts';
import { openStoreWith } from '../store/store.ts';
import { UsageError } from './args.ts';

export async function keysCommand(config: Readonly<Config>, argv: string[], out: (text: string) => void): Promise<number> {
  if (argv[0] !== 'rotate') throw new UsageError('usage: ldapsync keys rotate');
  const file = keyRingPath(config.dataDir, config.secretKeyFile);
  const rotated = loadKeyRing(file).rotated();
  // Saved with the old keys still in it first: a crash mid-way leaves every secret readable.
  saveKeyRing(file, rotated);
  const store = await openStoreWith({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, cipher: rotated });
  try {
    const changed = await store.sources.reencrypt();
    saveKeyRing(file, rotated.retire());
    await store.audit.record({ actor: 'cli', action: 'keys.rotate', targetType: 'keys', targetId: rotated.currentId, before: null, after: { reencrypted: changed } });
    out(`new key ${rotated.currentId}; ${changed} secrets re-encrypted; old keys retired`);
  } finally {
    await store.close();
  }
  return 0;
}
