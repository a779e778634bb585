/**
 * The secrets key ring as a running process sees it: the file on disk, re-read when it changes.
 * `ldapsync keys rotate` runs in another process, re-encrypts every secret under a new key and
 * retires the old one; a server holding the ring it read at start would then fail every sync
 * ("unknown key") and, worse, seal new secrets under a key nobody else has. So each use looks at
 * the file's identity (a rotation renames a new file into place), and a secret under a key this
 * ring does not know forces one more read before it is called unknown.
 */
import { statSync } from 'node:fs';
import type { KeyRing, SecretCipher } from './secret-box.ts';
import { loadKeyRing } from './keys.ts';

const fileIdentity = (file: string): string => {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch { return 'missing'; }
};

export class KeyRingFile implements SecretCipher {
  private readonly file: string;
  private ring: KeyRing;
  private identity: string;

  constructor(file: string) {
    this.file = file;
    this.ring = loadKeyRing(file);
    this.identity = fileIdentity(file);
  }

  /** The ring as the file holds it now; a file gone or unreadable keeps the ring in hand. */
  private current(force = false): KeyRing {
    const identity = fileIdentity(this.file);
    if ((force || identity !== this.identity) && identity !== 'missing') {
      try {
        this.ring = loadKeyRing(this.file);
        this.identity = identity;
      } catch { /* half-written or unreadable: keep the ring in hand, try again next time */ }
    }
    return this.ring;
  }

  get currentId(): string { return this.current().currentId; }

  encrypt(plain: string): string { return this.current().encrypt(plain); }

  decrypt(stored: string): string {
    const ring = this.current();
    try {
      return ring.decrypt(stored);
    } catch (e) {
      // The file may have changed within the clock's resolution: read it once more and retry.
      const again = this.current(true);
      if (again === ring) throw e;
      return again.decrypt(stored);
    }
  }

  stale(stored: string): boolean { return this.current().stale(stored); }
}
