import { SMTPServer } from "smtp-server";
import { simpleParser, type ParsedMail } from "mailparser";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  parsed: ParsedMail;
}

/** A real SMTP server on loopback that keeps what it receives; `failNext(n)` refuses the next n messages with 451. */
export async function startSmtpServer() {
  const received: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (failures > 0) {
            failures--;
            const err = Object.assign(new Error("Try again later"), { responseCode: 451 });
            return callback(err);
          }
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ""));
          received.push({ to, subject: parsed.subject ?? "", text: parsed.text ?? "", html: typeof parsed.html === "string" ? parsed.html : "", parsed });
          waiters.splice(0).forEach((w) => w());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    failNext(n: number) {
      failures = n;
    },
    /** Resolves once `count` mails have arrived in all. */
    async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedMail[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${received.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type SmtpTestServer = Awaited<ReturnType<typeof startSmtpServer>>;

/** Every link of a mail: the URLs in its plain text and the `href`s of its HTML (unescaped). */
export function linksIn(mail: Pick<ReceivedMail, "text" | "html">): URL[] {
  const fromText = mail.text.match(/https?:\/\/[^\s<>"]+/g) ?? [];
  const fromHtml = [...mail.html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
  return [...fromText, ...fromHtml].map((u) => new URL(u));
}

/**
 * What a link of a mail may carry: nothing but its token (no email, name or broker ID in browser histories or proxy
 * logs). Returns the problems found, empty when the links are clean.
 */
export function personalDataInLinks(mail: Pick<ReceivedMail, "to" | "text" | "html">): string[] {
  const problems: string[] = [];
  for (const url of linksIn(mail)) {
    const decoded = decodeURIComponent(url.toString()).toLowerCase();
    const params = [...url.searchParams.keys()];
    if (params.join(",") !== "token") problems.push(`${url}: parameters ${params.join(",") || "(none)"}, not only token`);
    if (decoded.includes("@")) problems.push(`${url}: contains an email address`);
    // The local part alone, too (long enough not to turn up in a random token by chance).
    for (const local of mail.to.map((to) => to.split("@")[0]!.toLowerCase()).filter((l) => l.length >= 6)) {
      if (decoded.includes(local)) problems.push(`${url}: contains the recipient's address`);
    }
  }
  return problems;
}
