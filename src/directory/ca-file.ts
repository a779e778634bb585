/**
 * Reading the CA a source names: a regular file of at most 1 MiB, read without blocking. A path
 * is a door into the server's file system: /dev/zero would exhaust memory, a FIFO would freeze
 * the event loop, so anything but a small regular file is refused with a reason.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { DirectoryError } from './errors.ts';

export const MAX_CA_BYTES = 1024 * 1024;

export async function readCaFile(path: string): Promise<Buffer> {
  let handle;
  try {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new DirectoryError('tls', `the CA file ${path} cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new DirectoryError('tls', `the CA file ${path} is not a regular file`);
    if (stat.size > MAX_CA_BYTES) throw new DirectoryError('tls', `the CA file ${path} is larger than ${MAX_CA_BYTES} bytes`);
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(stat.size), position: 0 });
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** PEM text a tenant pastes instead of naming a file: certificates only, of a bounded size. */
export function pemProblem(text: string): string | null {
  if (text.length > MAX_CA_BYTES) return `connection.caPem is larger than ${MAX_CA_BYTES} characters`;
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(text)) return 'connection.caPem must hold one or more PEM certificates (-----BEGIN CERTIFICATE-----)';
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'connection.caPem must not hold a private key';
  return null;
}
