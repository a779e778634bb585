/**
 * One LDAP server over ldapts, bound: the TLS it is reached with (verified, TLSv1.2 at least,
 * the source's CA), the bind with the source's account, and the bind that checks a person's
 * password. Failover across the list and the reading are the directory's (`client.ts`).
 */
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';
import type { DirectorySource } from './source.ts';
import { classify, DirectoryError } from './errors.ts';
import { readCaFile } from './ca-file.ts';

export async function tlsOptionsFor(source: DirectorySource, host: string): Promise<ConnectionOptions> {
  const options: ConnectionOptions = { rejectUnauthorized: source.connection.tlsVerify, minVersion: 'TLSv1.2' };
  const ca = [...(source.connection.caFile ? [await readCaFile(source.connection.caFile)] : []), ...(source.connection.caPem ? [source.connection.caPem] : [])];
  if (ca.length) options.ca = ca;
  if (!isIP(host)) options.servername = host;
  return options;
}

/** A client of `server` bound with the source's account (anonymously when it names none). */
export async function openBoundClient(source: DirectorySource, server: string): Promise<Client> {
  const url = new URL(server);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const secure = url.protocol === 'ldaps:';
  const client = new Client({
    url: server,
    connectTimeout: source.connection.connectTimeoutMs,
    timeout: source.connection.timeoutMs,
    ...(secure ? { tlsOptions: await tlsOptionsFor(source, host) } : {}),
  });
  try {
    if (source.connection.starttls) await client.startTLS(await tlsOptionsFor(source, host));
  } catch (e) {
    await client.unbind().catch(() => undefined);
    throw classify(e, server, 'connect', { starttls: source.connection.starttls });
  }
  try {
    if (source.connection.bindUser) await client.bind(source.connection.bindUser, source.connection.bindPass);
    else await client.bind('', '');
  } catch (e) {
    await client.unbind().catch(() => undefined);
    throw classify(e, server, 'bind', { dn: source.connection.bindUser });
  }
  return client;
}

/**
 * Checks a person's directory password by binding as their entry (on the first server that
 * answers). An empty password is refused here: LDAP treats it as an anonymous bind that succeeds.
 */
export async function verifyDirectoryPassword(source: DirectorySource, dn: string, password: string): Promise<boolean> {
  if (!password) return false;
  const failures: DirectoryError[] = [];
  for (const server of source.connection.servers) {
    const url = new URL(server);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const client = new Client({ url: server, connectTimeout: source.connection.connectTimeoutMs, timeout: source.connection.timeoutMs, ...(url.protocol === 'ldaps:' ? { tlsOptions: await tlsOptionsFor(source, host) } : {}) });
    try {
      if (source.connection.starttls) await client.startTLS(await tlsOptionsFor(source, host));
      await client.bind(dn, password);
      return true;
    } catch (e) {
      if ((e as Error).name === 'InvalidCredentialsError') return false;
      failures.push(classify(e, server, 'bind'));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  throw new DirectoryError('unreachable', failures.map((f) => f.message).join('; ') || 'no LDAP server configured');
}
