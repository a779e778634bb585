/** A throw-away CA and a server certificate for 127.0.0.1, ::1 and localhost. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestTls { caFile: string; certFile: string; keyFile: string }

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export function makeTestCa(dir: string, commonName = 'localhost', extraIps: string[] = []): TestTls {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  openssl(['req', '-x509', '-new', '-nodes', ...ec, '-sha256', '-days', '2', '-subj', '/CN=ldapsync test CA', '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  openssl(['req', '-new', '-nodes', ...ec, '-subj', `/CN=${commonName}`, '-keyout', 'server.key', '-out', 'server.csr'], dir);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1${extraIps.map((a) => `,IP:${a}`).join('')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl(['x509', '-req', '-sha256', '-days', '2', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-extfile', 'server.ext', '-out', 'server.crt'], dir);
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}
