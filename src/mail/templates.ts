/** Salutation of a mail: formal "Sie" or familiar "Du" (rule D1). */
export type Salutation = "SIE" | "DU";

export interface FirmProfile {
  name: string;
  phone: string | null;
  street: string | null;
  postalCode: string | null;
  city: string | null;
  brokerId: string;
}

/** The profile a mail is signed with, from a firm's row (its profile name, else its name). */
export function firmProfile(t: {
  name: string;
  brokerId: string;
  profileName: string | null;
  profilePhone: string | null;
  profileStreet: string | null;
  profilePostalCode: string | null;
  profileCity: string | null;
}): FirmProfile {
  return {
    name: t.profileName ?? t.name,
    phone: t.profilePhone,
    street: t.profileStreet,
    postalCode: t.profilePostalCode,
    city: t.profileCity,
    brokerId: t.brokerId,
  };
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function signature(firm: FirmProfile): string[] {
  return [
    firm.name,
    firm.street ?? "",
    [firm.postalCode, firm.city].filter(Boolean).join(" "),
    firm.phone ? `Telefon: ${firm.phone}` : "",
  ].filter(Boolean);
}

/** Plain text and a simple HTML version from the same paragraphs, so both always say the same. */
function render(subject: string, paragraphs: string[], firm: FirmProfile | null, link?: { url: string; label: string }): RenderedMail {
  const sig = firm ? signature(firm) : [];
  const text = [...paragraphs, ...(link ? [`${link.label}: ${link.url}`] : []), "", ...(sig.length ? ["--", ...sig] : [])].join("\n\n").replace(/\n\n--\n\n/, "\n\n-- \n");
  const html = [
    `<!doctype html><html lang="de"><body style="font-family:sans-serif;line-height:1.5">`,
    ...paragraphs.map((p) => `<p>${esc(p)}</p>`),
    link ? `<p><a href="${esc(link.url)}">${esc(link.label)}</a></p>` : "",
    sig.length ? `<p style="color:#555">${sig.map(esc).join("<br>")}</p>` : "",
    `</body></html>`,
  ].join("\n");
  return { subject, text, html };
}

const greet = (s: Salutation, name: string) => (s === "DU" ? `Hallo ${name},` : `Guten Tag ${name},`);

/** Rule F4: a notification left unread for 5 minutes. */
export function notificationMail(args: { recipientName: string; title: string; body: string; firm: FirmProfile }): RenderedMail {
  return render(
    `Ungelesene Benachrichtigung: ${args.title}`,
    [greet("SIE", args.recipientName), `Sie haben eine Benachrichtigung, die seit 5 Minuten ungelesen ist:`, args.title, args.body],
    args.firm,
  );
}

/** Rule B1: a new staff user is invited to set a password. */
export function staffInvitationMail(args: { recipientName: string; link: string; firm: FirmProfile }): RenderedMail {
  return render(
    `Einladung zu ${args.firm.name}`,
    [greet("SIE", args.recipientName), `Sie wurden als Mitarbeiter von ${args.firm.name} eingeladen. Bitte legen Sie über den folgenden Link Ihr Passwort fest. Der Link ist 7 Tage gültig und kann einmal verwendet werden.`],
    args.firm,
    { url: args.link, label: "Passwort festlegen" },
  );
}

/** Rule D1: a customer is invited to the customer app, formally or familiarly. */
export function customerInvitationMail(args: { salutation: Salutation; recipientName: string; link: string; firm: FirmProfile }): RenderedMail {
  const du = args.salutation === "DU";
  return render(
    du ? `${args.firm.name} lädt dich zur Kunden-App ein` : `${args.firm.name} lädt Sie zur Kunden-App ein`,
    [
      greet(args.salutation, args.recipientName),
      du
        ? `${args.firm.name} lädt dich zur Kunden-App ein. Dort siehst du deine Verträge und Dokumente, kannst Schäden melden und mit uns chatten.`
        : `${args.firm.name} lädt Sie zur Kunden-App ein. Dort sehen Sie Ihre Verträge und Dokumente, können Schäden melden und mit uns chatten.`,
      du ? `Deine Makler-ID: ${args.firm.brokerId}` : `Ihre Makler-ID: ${args.firm.brokerId}`,
      du
        ? `Der folgende Link öffnet die App mit eingetragener Makler-ID. Er kann einmal verwendet werden.`
        : `Der folgende Link öffnet die App mit eingetragener Makler-ID. Er kann einmal verwendet werden.`,
    ],
    args.firm,
    { url: args.link, label: du ? "Jetzt registrieren" : "Jetzt registrieren" },
  );
}

/** Rule D7: a password reset link, valid for one hour. */
export function passwordResetMail(args: { salutation: Salutation; recipientName: string; link: string; firm: FirmProfile }): RenderedMail {
  const du = args.salutation === "DU";
  return render(
    du ? "Dein neues Passwort für die Kunden-App" : "Ihr neues Passwort für die Kunden-App",
    [
      greet(args.salutation, args.recipientName),
      du
        ? "Du hast ein neues Passwort angefordert. Der folgende Link ist eine Stunde gültig und kann einmal verwendet werden."
        : "Sie haben ein neues Passwort angefordert. Der folgende Link ist eine Stunde gültig und kann einmal verwendet werden.",
      du ? "Wenn du das nicht warst, kannst du diese E-Mail ignorieren." : "Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren.",
    ],
    args.firm,
    { url: args.link, label: "Passwort festlegen" },
  );
}

/** A staff user asked for a new password: a link valid for one hour. */
export function staffPasswordResetMail(args: { recipientName: string; link: string; firm: FirmProfile }): RenderedMail {
  return render(
    `Ihr neues Passwort für ${args.firm.name}`,
    [
      greet("SIE", args.recipientName),
      "Sie haben ein neues Passwort für Ihren Zugang angefordert. Der folgende Link ist eine Stunde gültig und kann einmal verwendet werden.",
      "Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren; Ihr bisheriges Passwort bleibt dann gültig.",
    ],
    args.firm,
    { url: args.link, label: "Passwort festlegen" },
  );
}

/** Rule D5: an admin activated the customer's login by hand; the customer sets a password through the link (as in D7). */
export function appAccountActivatedMail(args: { salutation: Salutation; recipientName: string; link: string; validDays: number; firm: FirmProfile }): RenderedMail {
  const du = args.salutation === "DU";
  return render(
    du ? `Dein Zugang zur Kunden-App von ${args.firm.name} ist freigeschaltet` : `Ihr Zugang zur Kunden-App von ${args.firm.name} ist freigeschaltet`,
    [
      greet(args.salutation, args.recipientName),
      du
        ? `${args.firm.name} hat deinen Zugang zur Kunden-App freigeschaltet. Bitte lege über den folgenden Link dein Passwort fest. Der Link ist ${args.validDays} Tage gültig und kann einmal verwendet werden.`
        : `${args.firm.name} hat Ihren Zugang zur Kunden-App freigeschaltet. Bitte legen Sie über den folgenden Link Ihr Passwort fest. Der Link ist ${args.validDays} Tage gültig und kann einmal verwendet werden.`,
      du
        ? `Danach meldest du dich mit dieser E-Mail-Adresse, deinem Passwort und der Makler-ID ${args.firm.brokerId} an.`
        : `Danach melden Sie sich mit dieser E-Mail-Adresse, Ihrem Passwort und der Makler-ID ${args.firm.brokerId} an.`,
    ],
    args.firm,
    { url: args.link, label: "Passwort festlegen" },
  );
}
