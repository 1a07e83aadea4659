/**
 * The title and body of each kind of in-app notification (rule H1), beside the mail templates because
 * rule F4 mails the same text when a notification stays unread (`notificationMail` in templates.ts).
 * One function per notification kind; a module that raises a new kind adds its function here.
 */

/** What a staff user reads in the notification list, and in the F4 reminder mail. */
export interface NotificationText {
  title: string;
  body: string;
}

/** Rule C5: a customer uploaded a document through the app. */
export function documentUploadedText(args: { customerFirstName: string; customerLastName: string; documentTitle: string }): NotificationText {
  return {
    title: `Neues Dokument von ${args.customerFirstName} ${args.customerLastName}`,
    body: args.documentTitle,
  };
}

/** Rule E2: a customer added a contract in the app. */
export function contractCreatedText(args: { customerName: string; insurerName: string; contractNumber: string }): NotificationText {
  return {
    title: `Neuer Vertrag von ${args.customerName}`,
    body: `${args.insurerName}, Vertragsnummer ${args.contractNumber}: bitte prüfen`,
  };
}

/** Rule E5: a customer accepted an offer in the app. */
export function offerAcceptedText(args: { customerName: string; insurerName: string; contractNumber: string }): NotificationText {
  return {
    title: `Angebot angenommen von ${args.customerName}`,
    body: `${args.insurerName}, ${args.contractNumber}`,
  };
}

/** Rule C5: a customer uploaded a document to one of their contracts. */
export function contractDocumentUploadedText(args: { customerName: string; documentTitle: string; contractNumber: string }): NotificationText {
  return {
    title: `Neues Dokument von ${args.customerName}`,
    body: `${args.documentTitle} (Vertrag ${args.contractNumber})`,
  };
}

/** Rule G3: a customer reported a claim in the app. */
export function claimReportedText(args: { customerName: string; number: string; dateOfLoss: string }): NotificationText {
  const [y, m, d] = args.dateOfLoss.split("-");
  return {
    title: `Neuer Schaden von ${args.customerName}`,
    body: `Schaden ${args.number} vom ${d}.${m}.${y}: bitte bearbeiten`,
  };
}

/** Rule F3: a customer wrote in a chat (or answered an offer through it, rule E5). */
export function chatMessageText(args: { customerName: string; body: string; kind: string }): NotificationText {
  const what: Record<string, string> = {
    OFFER_ACCEPTED: "hat ein Angebot angenommen",
    OFFER_QUESTION: "hat eine Frage zu einem Angebot",
    OFFER_REQUEST: "möchte ein Angebot",
  };
  const preview = args.body.length > 140 ? `${args.body.slice(0, 139)}…` : args.body;
  return {
    title: what[args.kind] ? `${args.customerName} ${what[args.kind]}` : `Neue Nachricht von ${args.customerName}`,
    body: preview || "(Anhang)",
  };
}
