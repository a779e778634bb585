/**
 * LDAP result codes and socket failures, turned into sentences an administrator can act on:
 * which server, which DN, and what to check. ldapts reports them as "Code: 0x20" and little
 * more. Codes that can only mean the source is set up wrong are `config` failures: a sync
 * files them as configuration errors (400), not as the directory being down (503).
 */
import type { DirectoryFailure } from './failure.ts';

export interface ErrorContext {
  server: string;
  phase: 'connect' | 'bind' | 'search';
  /** The DN the operation was about: the search base, or the bind DN. */
  dn?: string;
  starttls?: boolean;
}

export interface Explained { failure: DirectoryFailure; message: string }

const ROOT_DSE_HINT = (server: string) => `ldapsearch -x -H ${server} -s base -b '' namingContexts lists the server's suffixes`;

/** The numeric result code of an ldapts error, when it has one. */
const resultCode = (error: unknown): number | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
};

export function explainLdapError(error: unknown, ctx: ErrorContext): Explained | null {
  const { server, phase, dn } = ctx;
  const text = (error as Error | null)?.message ?? String(error);
  const code = resultCode(error);
  const dnText = dn ? `'${dn}'` : 'the DN';
  switch (code) {
    case 2:
      if (phase === 'connect' && ctx.starttls) {
        return { failure: 'config', message: `${server} does not offer StartTLS (LDAP result 2, protocolError: ${text.replace(/\s*Code: 0x2$/, '')}): use ldaps:// if the server has a TLS port, or set connection.starttls to false` };
      }
      return { failure: 'search', message: `${server}: the server did not understand the ${phase} request (LDAP result 2, protocolError): check the LDAP version and the server's log` };
    case 3: return { failure: 'timeout', message: `${server}: the server's time limit ended the ${phase} (LDAP result 3): raise its time limit for the bind DN, or lower pageSize` };
    case 4: return { failure: 'search', message: `${server}: the server's size limit ended the search under ${dnText} (LDAP result 4): raise its size limit for the bind DN, or check that it allows paged results` };
    case 7: return { failure: 'config', message: `${server} refuses the simple bind (LDAP result 7, authMethodNotSupported): check that simple binds are allowed` };
    case 8:
    case 13:
      return { failure: 'config', message: `${server} wants an encrypted connection before a ${phase} (LDAP result ${code}, ${code === 8 ? 'strongerAuthRequired' : 'confidentialityRequired'}): use ldaps:// or set connection.starttls to true` };
    case 32:
      return { failure: 'config', message: `${dnText} does not exist on ${server} (LDAP result 32, noSuchObject): check baseDn for typos and its suffix (${ROOT_DSE_HINT(server)})` };
    case 34:
      return { failure: 'config', message: `${dnText} is not a valid DN for ${server} (LDAP result 34, invalidDNSyntax): check ${phase === 'bind' ? 'connection.bindUser' : 'baseDn'}, e.g. ou=people,dc=example,dc=org` };
    case 49: return { failure: 'bind', message: `${server}: bind refused: invalid credentials for ${dnText}: check connection.bindUser and connection.bindPass` };
    case 48: return { failure: 'config', message: `${server} does not allow binding as ${dnText} (LDAP result 48, inappropriateAuthentication): an empty password is an anonymous bind; check connection.bindUser and bindPass` };
    case 50: return { failure: 'config', message: `the bind DN may not read ${dnText} on ${server} (LDAP result 50, insufficientAccessRights): check the server's access rules for connection.bindUser` };
    case 51: return { failure: 'unreachable', message: `${server} is busy (LDAP result 51): try again later` };
    case 52: return { failure: 'unreachable', message: `${server} is unavailable (LDAP result 52, e.g. shutting down or read-only): try again later or use another server` };
    case 53: return { failure: 'search', message: `${server} is unwilling to perform the ${phase} under ${dnText} (LDAP result 53): check the server's log; Active Directory answers this to binds over plain LDAP when it requires signing` };
    case 10: return { failure: 'config', message: `${dnText} is held by another server: ${server} answered with a referral (LDAP result 10): point connection.server at the server holding the base DN` };
    default: break;
  }
  // A TLS handshake that the other side drops at once: most often a plain LDAP port behind ldaps://.
  if (phase !== 'search' && server.startsWith('ldaps://') && /before secure TLS connection was established|wrong version number|ECONNRESET|socket hang up/i.test(text)) {
    return { failure: 'tls', message: `${server}: TLS failed: the server closed the connection during the TLS handshake (${text}); if this port is plain LDAP, use ldap:// (with connection.starttls if the server offers it) or the server's ldaps:// port, usually 636` };
  }
  return null;
}
