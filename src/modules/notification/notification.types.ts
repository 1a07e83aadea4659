import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ArrayMaxSize, IsOptional } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import type { NotificationRow } from "./notification.table.js";

export enum NotificationKind {
  CHAT_MESSAGE = "CHAT_MESSAGE",
  CLAIM_REPORTED = "CLAIM_REPORTED",
  DOCUMENT_UPLOADED = "DOCUMENT_UPLOADED",
  CONTRACT_CREATED = "CONTRACT_CREATED",
  OFFER_RESPONSE = "OFFER_RESPONSE",
  GENERAL = "GENERAL",
}
registerEnumType(NotificationKind, { name: "NotificationKind" });

@ObjectType({ implements: Node, description: "A staff user's in-app notice (rule H1); emailed if unread for 5 minutes (rule F4)." })
export class Notification extends Node {
  @Field(() => NotificationKind)
  kind!: NotificationKind;
  @Field(() => String)
  title!: string;
  @Field(() => String)
  body!: string;
  @Field(() => ID, { nullable: true, description: "Global ID of what the notice is about, for `node(id)`." })
  subjectId!: string | null;
  @Field(() => Date)
  createdAt!: Date;
  @Field(() => Date, { nullable: true })
  readAt!: Date | null;
  @Field(() => Boolean)
  read!: boolean;

  static from(row: NotificationRow): Notification {
    return Object.assign(new Notification(), {
      id: toGlobalId("Notification", row.id),
      kind: row.kind as NotificationKind,
      title: row.title,
      body: row.body,
      subjectId: row.subjectType && row.subjectId ? toGlobalId(row.subjectType, row.subjectId) : null,
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
  @Field(() => Boolean, { defaultValue: false })
  unreadOnly!: boolean;
}

@InputType({ description: "Mark some notifications (ids) or all of them (all: true) read." })
export class MarkNotificationsReadInput {
  @Field(() => [ID], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(100)
  ids?: string[];
  @Field(() => Boolean, { nullable: true })
  @IsOptional()
  all?: boolean;
}

@ObjectType()
export class MarkNotificationsReadPayload {
  @Field(() => [Notification], { description: "The notifications marked (empty for `all`)." })
  notifications!: Notification[];
  @Field(() => Int)
  unreadCount!: number;
}

@ObjectType({ description: "A subscription event: the cursor to resume from with `after:`, and the notification." })
export class NotificationEvent {
  @Field(() => String)
  cursor!: string;
  @Field(() => Notification)
  notification!: Notification;
}
