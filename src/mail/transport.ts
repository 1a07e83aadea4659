import nodemailer from "nodemailer";
import type { Logger } from "../log.js";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where mail goes: SMTP when configured; otherwise nowhere, and the outbox keeps it (HELD). */
export interface MailTransport {
  readonly delivers: boolean;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export class SmtpTransport implements MailTransport {
  readonly delivers = true;
  private readonly transporter;
  constructor(
    url: string,
    private readonly from: string,
  ) {
    this.transporter = nodemailer.createTransport(url);
  }
  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
  }
  close(): void {
    this.transporter.close();
  }
}

/** The embedded default: mail is written to the log and stays in the outbox, so nothing is lost. */
export class LogTransport implements MailTransport {
  readonly delivers = false;
  constructor(private readonly log: Logger) {}
  async send(mail: OutgoingMail): Promise<void> {
    this.log.info({ to: mail.to, subject: mail.subject, text: mail.text }, "mail kept in the outbox (no SMTP_URL configured)");
  }
  close(): void {}
}
