/**
 * Secrets at rest (bind passwords): AES-256-GCM under a key ring kept apart from the database.
 * A stored secret names its key, so rotation can re-encrypt at its own pace and old keys retire.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'enc:v1:';

import type { SecretCipher } from '../domain/secret-cipher.ts';
export type { SecretCipher };

export interface KeyRingData { current: string; keys: Record<string, string> }

export class KeyRing implements SecretCipher {
  private readonly data: KeyRingData;
  constructor(data: KeyRingData) {
    if (!data.keys[data.current]) throw new Error('the key ring has no current key');
    this.data = data;
  }

  get currentId(): string { return this.data.current; }
  get ids(): string[] { return Object.keys(this.data.keys); }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(this.data.keys[this.data.current]!, 'base64'), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.data.current}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64')}`;
  }

  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored; // written before encryption: rotation encrypts it
    const [id, payload] = stored.slice(PREFIX.length).split(':');
    const key = this.data.keys[id ?? ''];
    if (!key || !payload) throw new Error(`secret encrypted with unknown key '${id}'; restore that key or set the secret again`);
    const raw = Buffer.from(payload, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64'), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    try {
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new Error(`cannot decrypt a stored secret with key '${id}': this is not the key ring it was written with`, { cause });
    }
  }

  stale(stored: string): boolean {
    return !stored.startsWith(`${PREFIX}${this.data.current}:`);
  }

  /** A ring with a fresh current key; the old keys stay until `retire`. */
  rotated(): KeyRing {
    const id = `k${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    return new KeyRing({ current: id, keys: { ...this.data.keys, [id]: randomBytes(32).toString('base64') } });
  }

  /** Only the current key: after every secret is re-encrypted under it. */
  retire(): KeyRing {
    return new KeyRing({ current: this.data.current, keys: { [this.data.current]: this.data.keys[this.data.current]! } });
  }

  toJSON(): KeyRingData { return this.data; }

  static fresh(): KeyRing {
    return new KeyRing({ current: 'k1', keys: { k1: randomBytes(32).toString('base64') } });
  }
}
