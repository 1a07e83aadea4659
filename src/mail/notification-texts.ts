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
