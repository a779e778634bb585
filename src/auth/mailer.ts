/**
 * The mail port: what the email 2FA method sends. The SMTP adapter is nodemailer; it verifies the
 * server's certificate (STARTTLS when offered, or smtps://) against the system store or a given CA.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';

export interface MailMessage { to: string; subject: string; text: string }

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function smtpMailer(options: { url: string; from: string; caFile: string | null }): Mailer {
  const url = new URL(options.url);
  const transport = nodemailer.createTransport({
    host: url.hostname, port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)), secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    tls: { rejectUnauthorized: true, ...(options.caFile ? { ca: readFileSync(options.caFile) } : {}) },
    connectionTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
    },
  };
}
