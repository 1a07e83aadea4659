import PDFDocument from "pdfkit";

export interface TranscriptMessage {
  at: Date;
  author: string;
  body: string;
  attachments: string[];
}

const germanTime = new Intl.DateTimeFormat("de-DE", { timeZone: "Europe/Berlin", dateStyle: "medium", timeStyle: "short" });

/**
 * Rule F5: the chat as a PDF any reader opens (pdfkit, standard fonts: umlauts and ß are in their encoding):
 * the firm and the customer, then every message with its author, its time in German local time and the names
 * of its attachments.
 */
export function transcriptPdf(t: { firm: string; customer: string; openedAt: Date; archivedAt: Date; messages: TranscriptMessage[] }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: "A4", margin: 56, info: { Title: `Chat-Transkript ${t.customer}`, Author: t.firm } });
    const chunks: Buffer[] = [];
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
    doc.font("Helvetica-Bold").fontSize(16).text(`Chat-Transkript: ${t.customer}`);
    doc.font("Helvetica").fontSize(10).fillColor("#555555").text(`${t.firm} · ${germanTime.format(t.openedAt)} bis ${germanTime.format(t.archivedAt)}`);
    doc.moveDown();
    for (const m of t.messages) {
      doc.fillColor("#000000").font("Helvetica-Bold").fontSize(10).text(`${m.author} – ${germanTime.format(m.at)}`);
      if (m.body) doc.font("Helvetica").fontSize(10).text(m.body);
      for (const a of m.attachments) doc.font("Helvetica-Oblique").fontSize(9).text(`Anhang: ${a}`);
      doc.moveDown(0.6);
    }
    if (t.messages.length === 0) doc.font("Helvetica-Oblique").text("Keine Nachrichten.");
    doc.end();
  });
}
