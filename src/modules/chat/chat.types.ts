import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { ArrayMaxSize, IsBoolean, IsOptional, Length, MaxLength } from "class-validator";
import { Node, toGlobalId } from "../../graphql/relay.js";
import { Connection, PageArgs } from "../../graphql/connection.js";
import { LineOfBusiness } from "../contract/contract.enums.js";
import { ChatOrder, ChatStatus, MessageKind } from "./chat.enums.js";
import type { ChatMessageRow, ChatRow } from "./chat.table.js";
import type { Customer } from "../customer/customer.types.js";
import type { StaffCard } from "../staff/staff.types.js";

export { ChatOrder, ChatStatus, MessageKind };

/** A message's text: plain text (never interpreted as HTML), at most this long. */
export const MAX_MESSAGE_LENGTH = 4000;
export const MAX_ATTACHMENTS = 10;

@ObjectType({
  implements: Node,
  description:
    "A conversation between one customer and the firm. Staff with the CHAT permission see the firm's chats, open and archived; the customer's app sees the open chat of each customer it may access.",
})
export class Chat extends Node {
  @Field(() => ChatStatus)
  status!: ChatStatus;
  @Field(() => Date, { description: "The last message's time (or the opening); the inbox sorts by it." })
  lastActivityAt!: Date;
  @Field(() => Date, { nullable: true })
  archivedAt!: Date | null;
  @Field(() => Date)
  createdAt!: Date;

  dbId!: string;
  tenantId!: string;
  customerId!: string;
  operatorStaffId!: string | null;
  transcriptDocumentId!: string | null;
  /**
   * What came with the inbox's page for this viewer (ChatService.list): the fields answer from it at once, without
   * a loader's promise per field and chat. Never set on a chat that is shared between viewers.
   */
  loaded?: ChatLoaded;

  static from(row: ChatRow): Chat {
    return Object.assign(new Chat(), {
      id: toGlobalId("Chat", row.id),
      dbId: row.id,
      tenantId: row.tenantId,
      customerId: row.customerId,
      operatorStaffId: row.operatorStaffId,
      transcriptDocumentId: row.transcriptDocumentId,
      status: row.status as ChatStatus,
      lastActivityAt: row.lastActivityAt,
      archivedAt: row.archivedAt,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType({ implements: Node, description: "A message of a chat: text, attachments, or one of the app's offer actions." })
export class Message extends Node {
  @Field(() => MessageKind)
  kind!: MessageKind;
  @Field(() => String, { description: "Plain text; show it as text, never as HTML. May be empty when the message only carries attachments." })
  body!: string;
  @Field(() => Boolean, { description: "Whether the customer's side wrote it (else a staff user)." })
  fromCustomer!: boolean;
  @Field(() => Date)
  createdAt!: Date;

  dbId!: string;
  chatId!: string;
  authorStaffId!: string | null;
  /** The staff author's card when it came with the page (ChatService.messages); undefined: not loaded. */
  authorLoaded?: StaffCard | null;
  contractId!: string | null;

  static from(row: ChatMessageRow): Message {
    return Object.assign(new Message(), {
      id: toGlobalId("Message", row.id),
      dbId: row.id,
      chatId: row.chatId,
      authorStaffId: row.authorStaffId,
      contractId: row.contractId,
      kind: row.kind as MessageKind,
      body: row.body,
      fromCustomer: row.fromCustomer,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType()
export class MessageConnection extends Connection(Message, "Message") {}

@ObjectType()
export class ChatConnection extends Connection(Chat, "Chat") {}

@ArgsType()
export class ChatsArgs extends PageArgs {
  @Field(() => ChatStatus, { nullable: true, description: "Staff: OPEN (default) or ARCHIVED chats. App accounts always get their open chats." })
  status?: ChatStatus | null;
  @Field(() => Boolean, { nullable: true, description: "Staff: only chats the viewer is the operator of." })
  mine?: boolean | null;
  @Field(() => ChatOrder, { nullable: true, description: "Default LAST_ACTIVITY_NEWEST." })
  orderBy?: ChatOrder | null;
  @Field(() => String, { nullable: true, description: "Staff: chats whose customer's name contains this text (case-insensitive)." })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;
}

@ArgsType()
export class MessagesArgs extends PageArgs {}

@InputType({
  description:
    "A message. Staff name the chat; an app account names the customer it writes for (its own or a household member's) and the customer's open chat is used, or opened.",
})
export class SendMessageInput {
  @Field(() => String, {
    description:
      "A key the client makes once per message (a UUID) and resends with every retry: a retried send returns the first message instead of a second (`replayed: true`); the same key with other content is CONFLICT (rule IDEMPOTENCY_KEY_REUSED).",
  })
  @Length(8, 100)
  clientMessageId!: string;
  @Field(() => ID, { nullable: true, description: "Staff: the chat." })
  @IsOptional()
  @MaxLength(200)
  chatId?: string | null;
  @Field(() => ID, { nullable: true, description: "App accounts: the customer the message is for." })
  @IsOptional()
  @MaxLength(200)
  customerId?: string | null;
  @Field(() => String, { defaultValue: "", description: `Plain text, at most ${MAX_MESSAGE_LENGTH} characters; may be empty with attachments.` })
  @MaxLength(MAX_MESSAGE_LENGTH)
  body!: string;
  @Field(() => [ID], { defaultValue: [], description: "Up to 10 uploads (purpose DOCUMENT: photos and PDFs); each becomes a document of the customer, visible in the app." })
  @ArrayMaxSize(MAX_ATTACHMENTS)
  @MaxLength(200, { each: true })
  attachmentFileIds!: string[];
}

@InputType()
export class StartChatInput {
  @Field(() => ID, { description: "A customer with an ACTIVE app account." })
  @MaxLength(200)
  customerId!: string;
}

@InputType()
export class SetChatOperatorInput {
  @Field(() => ID)
  @MaxLength(200)
  chatId!: string;
  @Field(() => ID, { description: "An active staff user with the CHAT permission." })
  @MaxLength(200)
  staffUserId!: string;
}

@InputType()
export class MarkChatReadInput {
  @Field(() => ID)
  @MaxLength(200)
  chatId!: string;
  @Field(() => ID, { description: "The newest message read (of this chat); everything up to it counts as read." })
  @MaxLength(200)
  upToMessageId!: string;
}

@InputType()
export class ArchiveChatInput {
  @Field(() => ID)
  @MaxLength(200)
  chatId!: string;
  @Field(() => Boolean, { nullable: true, description: "Store a transcript PDF at the customer; default: the firm's setting (on unless switched off)." })
  storeTranscript?: boolean | null;
  @Field(() => ID, { nullable: true, description: "File the transcript at this contract of the customer." })
  @IsOptional()
  @MaxLength(200)
  contractId?: string | null;
  @Field(() => ID, { nullable: true, description: "File the transcript at this claim of the customer." })
  @IsOptional()
  @MaxLength(200)
  claimId?: string | null;
}

@InputType()
export class AskAboutOfferInput {
  @Field(() => ID, { description: "An offer the app shows." })
  @MaxLength(200)
  contractId!: string;
  @Field(() => String, { description: "The question." })
  @Length(1, MAX_MESSAGE_LENGTH)
  body!: string;
}

@InputType()
export class RequestOfferInput {
  @Field(() => ID, { description: "The customer the offer is for." })
  @MaxLength(200)
  customerId!: string;
  @Field(() => LineOfBusiness, { nullable: true, description: "What kind of insurance, if the customer chose one." })
  lineOfBusiness?: LineOfBusiness | null;
  @Field(() => String, { description: "What the customer is looking for." })
  @Length(1, MAX_MESSAGE_LENGTH)
  body!: string;
}

@InputType()
export class ChatSettingsInput {
  @Field(() => Boolean, { description: "Whether archiving a chat stores its transcript unless the call says otherwise." })
  // Without a validation decorator the whole input is an unknown value to the validator (forbidUnknownValues).
  @IsBoolean()
  storeTranscriptByDefault!: boolean;
}

@ObjectType()
export class ChatSettings {
  @Field(() => Boolean)
  storeTranscriptByDefault!: boolean;
}

@ObjectType()
export class MessagePayload {
  @Field(() => Message)
  message!: Message;
  @Field(() => Chat)
  chat!: Chat;
  @Field(() => Boolean, { description: "True when this answered a retry: the message was sent before with the same `clientMessageId`." })
  replayed!: boolean;
}

@ObjectType()
export class ChatPayload {
  @Field(() => Chat)
  chat!: Chat;
}

@ObjectType({ description: "A new message, with its chat as it is now." })
export class MessageEvent {
  @Field(() => String, { description: "Pass it as `after:` when subscribing again, to receive what was missed." })
  cursor!: string;
  @Field(() => Message)
  message!: Message;
}

@ObjectType({ description: "A chat as it is after a change: read marks, operator, archiving." })
export class ChatEvent {
  @Field(() => String, { description: "Pass it as `after:` when subscribing again, to receive what was missed." })
  cursor!: string;
  @Field(() => Chat)
  chat!: Chat;
}

/** Values a list brought along with a chat, for the viewer who listed it. */
export interface ChatLoaded {
  customer?: Customer;
  lastMessage?: Message | null;
  unreadCount?: number;
}
