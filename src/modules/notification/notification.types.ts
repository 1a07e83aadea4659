import { ArgsType, Field, ID, InputType, Int, ObjectType, createUnionType } from "type-graphql";
import { ArrayMaxSize, IsOptional } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { NotificationKind } from "./notification.enums.js";
export { NotificationKind };
import type { NotificationRow } from "./notification.table.js";
import { Document } from "../document/document.types.js";
import { Contract } from "../contract/contract.types.js";
import { Claim } from "../claim/claim.types.js";
import { Chat } from "../chat/chat.types.js";

/**
 * What a notification can be about, as the objects themselves (a UI needs no second query). A module whose
 * notifications name a new kind of subject (chats) adds its type here and its loader in
 * `notification.resolver.ts` (SUBJECT_LOADERS).
 */
export const NotificationSubject = createUnionType({
  name: "NotificationSubject",
  description: "The object a notification is about. More types will join (chats): ignore a `__typename` you do not know.",
  types: () => [Document, Contract, Claim, Chat] as const,
  resolveType: (value) => (value instanceof Document ? Document : value instanceof Contract ? Contract : value instanceof Claim ? Claim : value instanceof Chat ? Chat : undefined),
});
export type NotificationSubjectValue = Document | Contract | Claim | Chat;

@ObjectType({
  implements: Node,
  description:
    "A staff user's in-app notice; only that user sees it. If still unread 5 minutes after it was made, it is also emailed once (unless the user switched email notifications off).",
})
export class Notification extends Node {
  @Field(() => NotificationKind)
  kind!: NotificationKind;
  @Field(() => String, { description: "A short headline, ready to show (German)." })
  title!: string;
  @Field(() => String, { description: "The text below the headline, ready to show." })
  body!: string;
  @Field(() => ID, {
    nullable: true,
    description: "Global ID of what the notice is about, for `node(id)`.",
    deprecationReason: "Use `subject`: the object itself, loaded in the same query (null when the viewer may no longer see it).",
  })
  subjectId!: string | null;
  @Field(() => Date)
  createdAt!: Date;
  @Field(() => Date, { nullable: true, description: "When it was first marked read; null while unread." })
  readAt!: Date | null;
  @Field(() => Boolean, { description: "Whether it has been marked read." })
  read!: boolean;

  /** The subject's GraphQL type name and database id (`subject` loads it). */
  subjectRef!: { type: string; id: string } | null;

  static from(row: NotificationRow): Notification {
    return Object.assign(new Notification(), {
      id: toGlobalId("Notification", row.id),
      kind: row.kind as NotificationKind,
      title: row.title,
      body: row.body,
      subjectId: row.subjectType && row.subjectId ? toGlobalId(row.subjectType, row.subjectId) : null,
      subjectRef: row.subjectType && row.subjectId ? { type: row.subjectType, id: row.subjectId } : null,
      createdAt: row.createdAt,
      readAt: row.readAt,
      read: row.readAt !== null,
    });
  }
}

@ObjectType("NotificationConnection")
export class NotificationConnection extends Connection(Notification, "Notification", { extend: true }) {
  @Field(() => Int, { description: "The viewer's unread notifications, whatever the filter." })
  unreadCount!: PromiseLike<number> | number;
}

@ArgsType()
export class NotificationsArgs extends PageArgs {
  @Field(() => Boolean, { defaultValue: false, description: "Only unread notifications." })
  unreadOnly!: boolean;
}

@InputType({ description: "Mark some notifications (ids) or all of them (all: true) read; give exactly one of the two." })
export class MarkNotificationsReadInput {
  @Field(() => [ID], { nullable: true, description: "The viewer's own notifications, at most 100; any other id gives NOT_FOUND and marks nothing." })
  @IsOptional()
  @ArrayMaxSize(100)
  ids?: string[];
  @Field(() => Boolean, { nullable: true, description: "true marks every unread notification of the viewer." })
  @IsOptional()
  all?: boolean;
}

@ObjectType()
export class MarkNotificationsReadPayload {
  @Field(() => [Notification], {
    description: "The notifications marked, as they are now: with `ids` each one named (one read before keeps its first read time); with `all` every one that was unread, newest first.",
  })
  notifications!: Notification[];
  @Field(() => Int, { description: "The viewer's unread notifications afterwards (for the badge)." })
  unreadCount!: number;
}

@ObjectType({ description: "A subscription event: the cursor to resume from with `after:`, and the notification." })
export class NotificationEvent {
  @Field(() => String, { description: "Opaque: pass it as `after:` when subscribing again, to receive what was missed. Store it as it is; do not parse it." })
  cursor!: string;
  @Field(() => Notification)
  notification!: Notification;
}
