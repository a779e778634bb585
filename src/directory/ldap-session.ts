/**
 * One LDAP connection spoken directly, for what ldapts cannot read: searches whose answers carry
 * IntermediateResponses or controls on entries (RFC 4533 content sync). It opens, StartTLS-es and
 * binds like the ldapts client does (same TLS rules, same timeouts) and streams a search's
 * messages in the batches they arrive in, pausing the socket while the consumer is behind.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { DirectorySource } from './source.ts';
import { DirectoryError, type DirectoryFailure } from './errors.ts';
import { bindRequest, extendedRequest, searchRequest, unbindRequest, abandonRequest, type SearchRequest } from './ldap-requests.ts';
import { MessageReader, type LdapMessage, type LdapResult, type ResponseControl } from './ldap-responses.ts';
import { pagedCookie, pagedResultsControl, resultError } from './paged-results.ts';
import type { DirectoryEntry } from './port.ts';

const START_TLS = '1.3.6.1.4.1.1466.20037';
/** Batches queued before the socket is paused. */
const HIGH_WATER = 64;

export interface SessionOptions {
  source: DirectorySource;
  server: string;
  /** Read afresh for each connection: the CA may come from a file (read asynchronously). */
  tlsOptions: (host: string) => Promise<ConnectionOptions>;
  binaryAttributes: string[];
}

export class LdapSession {
  private socket: Socket | TLSSocket;
  private reader: MessageReader;
  private nextId = 1;
  private readonly server: string;
  private readonly timeoutMs: number;
  private queue: LdapMessage[][] = [];
  private waiting: (() => void) | null = null;
  private failure: Error | null = null;
  private closed = false;

  private constructor(socket: Socket | TLSSocket, options: SessionOptions) {
    this.socket = socket;
    this.server = options.server;
    this.timeoutMs = options.source.connection.timeoutMs;
    this.reader = new MessageReader(options.binaryAttributes);
    this.listen();
  }

  private listen(): void {
    this.socket.on('data', (chunk: Buffer) => {
      try {
        const messages = this.reader.push(chunk);
        if (messages.length) this.queue.push(messages);
      } catch (e) {
        this.fail(e as Error);
      }
      if (this.queue.length > HIGH_WATER) this.socket.pause();
      this.wake();
    });
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => { if (!this.closed) this.fail(new Error('the server closed the connection')); });
  }

  private fail(e: Error): void { this.failure ??= e; this.wake(); }
  private wake(): void { const w = this.waiting; this.waiting = null; w?.(); }

  /** The next batch of messages, waiting at most the source's timeout for one. */
  private async batch(): Promise<LdapMessage[]> {
    for (;;) {
      const next = this.queue.shift();
      if (next) { if (this.queue.length <= HIGH_WATER / 2) this.socket.resume(); return next; }
      if (this.failure) throw new DirectoryError('unreachable', `${this.server}: ${this.failure.message}`);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await new Promise<boolean>((resolve) => {
        this.waiting = () => resolve(false);
        timer = setTimeout(() => resolve(true), this.timeoutMs);
      });
      clearTimeout(timer);
      if (timedOut) throw new DirectoryError('timeout', `${this.server}: timed out, no answer within ${this.timeoutMs / 1000} s`);
    }
  }

  private async single(id: number): Promise<LdapMessage> {
    for (;;) for (const m of await this.batch()) if (m.id === id) return m;
  }

  static async open(options: SessionOptions): Promise<LdapSession> {
    const { source, server } = options;
    const url = new URL(server);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const secure = url.protocol === 'ldaps:';
    const port = Number(url.port) || (secure ? 636 : 389);
    const tls = secure ? await options.tlsOptions(host) : null;
    const socket = await new Promise<Socket | TLSSocket>((resolve, reject) => {
      const s = tls ? tlsConnect({ host, port, ...tls }) : netConnect({ host, port });
      const timer = setTimeout(() => { s.destroy(); reject(new DirectoryError('unreachable', `${server}: no connection within ${source.connection.connectTimeoutMs / 1000} s`)); }, source.connection.connectTimeoutMs);
      s.once(secure ? 'secureConnect' : 'connect', () => { clearTimeout(timer); resolve(s); });
      s.once('error', (e) => { clearTimeout(timer); reject(new DirectoryError(secure ? 'tls' : 'unreachable', `${server}: ${e.message}`)); });
    });
    socket.setNoDelay(true);
    let session = new LdapSession(socket, options);
    try {
      if (source.connection.starttls) session = await session.startTls(host, options);
      await session.bind(source.connection.bindUser, source.connection.bindUser ? source.connection.bindPass : '');
    } catch (e) {
      session.destroy();
      throw e;
    }
    return session;
  }

  private async startTls(host: string, options: SessionOptions): Promise<LdapSession> {
    const id = this.nextId++;
    this.socket.write(extendedRequest(id, START_TLS));
    const answer = await this.single(id);
    if (answer.op !== 'extended' || answer.result.code !== 0) throw this.error('tls', 'StartTLS refused', answer);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    this.socket.removeAllListeners('error');
    const plain = this.socket;
    const tls = await options.tlsOptions(host);
    const secured = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ socket: plain, ...tls });
      s.once('secureConnect', () => resolve(s));
      s.once('error', (e) => reject(new DirectoryError('tls', `${this.server}: ${e.message}`)));
    });
    const next = new LdapSession(secured, options);
    next.nextId = this.nextId;
    return next;
  }

  private error(failure: DirectoryFailure, what: string, answer: LdapMessage): DirectoryError {
    const detail = 'result' in answer ? `${answer.result.code}${answer.result.message ? ` ${answer.result.message}` : ''}` : answer.op;
    return new DirectoryError(failure, `${this.server}: ${what} (${detail})`);
  }

  private async bind(dn: string, password: string): Promise<void> {
    const id = this.nextId++;
    this.socket.write(bindRequest(id, dn, password));
    const answer = await this.single(id);
    if (answer.op !== 'bind' || answer.result.code !== 0) throw this.error('bind', 'bind refused', answer);
  }

  /**
   * Streams a search's messages, the final SearchResultDone included, in the batches they came
   * in. Leaving early abandons the search.
   */
  async *search(request: SearchRequest): AsyncGenerator<LdapMessage[]> {
    const id = this.nextId++;
    this.socket.write(searchRequest(id, request));
    let done = false;
    try {
      while (!done) {
        const mine = (await this.batch()).filter((m) => m.id === id);
        done = mine.some((m) => m.op === 'done');
        if (mine.length) yield mine;
      }
    } finally {
      if (!done && !this.failure && !this.closed) this.socket.write(abandonRequest(this.nextId++, id));
    }
  }

  /**
   * A search in pages (RFC 2696), a page at a time. The next page is asked for as soon as the
   * last message of this one arrives, before this one is handed on, so the server works on it
   * while this page is processed. A refused page throws what ldapts would have thrown.
   */
  async *pagedSearch(request: SearchRequest, pageSize: number): AsyncGenerator<{ entries: DirectoryEntry[]; references: string[] }> {
    const send = (cookie: Buffer): number => {
      const id = this.nextId++;
      this.socket.write(searchRequest(id, { ...request, controls: [...(request.controls ?? []), pagedResultsControl(pageSize, cookie)] }));
      return id;
    };
    let id = send(Buffer.alloc(0));
    let outstanding = true;
    try {
      for (;;) {
        const entries: DirectoryEntry[] = [];
        const references: string[] = [];
        let done: { result: LdapResult; controls: ResponseControl[] } | null = null;
        while (!done) {
          for (const m of await this.batch()) {
            if (m.id !== id) continue;
            if (m.op === 'entry') entries.push(m.entry);
            else if (m.op === 'reference') references.push(...m.uris);
            else if (m.op === 'done') done = m;
          }
        }
        outstanding = false;
        if (done.result.code !== 0) throw resultError(done.result);
        const cookie = pagedCookie(done.controls);
        // As ldapts does: an empty page ends the search even with a cookie.
        const more = cookie.length > 0 && (entries.length > 0 || references.length > 0);
        if (more) { id = send(cookie); outstanding = true; }
        yield { entries, references };
        if (!more) return;
      }
    } finally {
      if (outstanding && !this.failure && !this.closed) this.socket.write(abandonRequest(this.nextId++, id));
    }
  }

  private destroy(): void { this.closed = true; this.socket.destroy(); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.failure) await new Promise<void>((resolve) => this.socket.end(unbindRequest(this.nextId++), () => resolve()));
    this.socket.destroy();
  }
}
