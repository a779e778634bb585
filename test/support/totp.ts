/**
 * TOTP codes as an authenticator app gives them, each for a time step not used before: the
 * server takes a code once, so a test that needs several codes waits for the next step when the
 * ones within the server's window of ±1 step are spent.
 */
import { Secret, TOTP } from 'otpauth';

const PERIOD_MS = 30_000;

export class TotpCodes {
  secret = '';
  private lastStep = -Infinity;

  async next(): Promise<string> {
    const now = Date.now();
    const current = Math.floor(now / PERIOD_MS);
    const step = Math.max(this.lastStep + 1, current - 1);
    // The server accepts up to one step ahead of its clock: wait until this step is within reach.
    if (step > current + 1) await new Promise((r) => setTimeout(r, (step - 1) * PERIOD_MS - now + 50));
    this.lastStep = step;
    return new TOTP({ secret: Secret.fromBase32(this.secret), digits: 6, period: 30 }).generate({ timestamp: step * PERIOD_MS });
  }

  /** A code for a step already used: the server must refuse it. */
  replay(): string {
    return new TOTP({ secret: Secret.fromBase32(this.secret), digits: 6, period: 30 }).generate({ timestamp: this.lastStep * PERIOD_MS });
  }
}
