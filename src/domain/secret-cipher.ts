/** How the store seals the secrets it holds (bind passwords, TOTP secrets); the key ring implements it. */
export interface SecretCipher {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
  /** True when the stored value is plaintext or under a key other than the current one. */
  stale(stored: string): boolean;
}
