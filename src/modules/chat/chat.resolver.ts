import { Arg, Args, Authorized, Ctx, Extensions, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { GraphQLResolveInfo } from "graphql";
import type { Context } from "../../context.js";
import type { LiveEvent } from "../../realtime/event-log.js";
import { adopt } from "../../realtime/live.js";
import { decodeId } from "../../graphql/relay.js";
import { selectedNodeFields } from "../../graphql/connection.js";
import { notFound } from "../../errors.js";
import { chatPolicy } from "./chat.policy.js";
import { Customer } from "../customer/customer.types.js";
import { Document } from "../document/document.types.js";
import { Contract, AppOverview } from "../contract/contract.types.js";
import { StaffCard } from "../staff/staff.types.js";
import {
  ArchiveChatInput,
  AskAboutOfferInput,
  Chat,
  ChatConnection,
  ChatEvent,
  ChatPayload,
  ChatSettings,
  ChatSettingsInput,
  ChatsArgs,
  MarkChatReadInput,
  Message,
  MessageConnection,
  MessageEvent,
  MessagePayload,
  MessagesArgs,
  RequestOfferInput,
  SendMessageInput,
  SetChatOperatorInput,
  StartChatInput,
} from "./chat.types.js";

@Resolver(() => Chat)
export class ChatResolver {
  @Authorized("STAFF", "APP")
  @Query(() => ChatConnection, {
    description:
      "Staff with the CHAT permission: the inbox, open (default) or archived, all or only their own (`mine`), by last activity, searched by customer name; FORBIDDEN without CHAT. App accounts: the open chat of each customer they may access.",
  })
  chats(@Args(() => ChatsArgs) args: ChatsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    // The inbox in one statement: what the nodes select of these comes with the page and primes the loaders.
    const wanted = selectedNodeFields(info);
    return ctx.services.chat.list(ctx.viewer, args, {
      customer: wanted.has("customer"),
      lastMessage: wanted.has("lastMessage"),
      unreadCount: wanted.has("unreadCount"),
      prime: (chat, found) => {
        if (found.customer) ctx.loaders.customer.prime(found.customer.dbId, found.customer);
        if (found.lastMessage !== undefined) ctx.loaders.lastMessage.prime(chat.dbId, found.lastMessage);
        if (found.unreadCount !== undefined) ctx.loaders.unreadCount.prime(chat.dbId, found.unreadCount);
      },
    });
  }

  @Authorized("STAFF", "APP")
  @Query(() => Chat, { description: "One chat the viewer may see; any other id gives NOT_FOUND, exactly like a missing one." })
  async chat(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Chat> {
    // Rule B1: staff without CHAT get FORBIDDEN, as on `chats`, not a NOT_FOUND that hides the missing permission.
    chatPolicy.authorize(ctx.viewer, "list");
    const found = await ctx.loaders.chat.load(decodeId(id, "Chat", "id"));
    if (!found) throw notFound("Chat");
    return found;
  }

  @Authorized("STAFF", "APP")
  @Query(() => Int, { description: "Unread messages in total: for staff, the customers' messages the viewer has not read in open chats; for the app, the office's." })
  unreadMessageCount(@Ctx() ctx: Context): Promise<number> {
    // Rule B1: staff without CHAT get FORBIDDEN, not a count of 0 that hides the missing permission.
    chatPolicy.authorize(ctx.viewer, "list");
    return ctx.services.chat.unreadTotal(ctx.viewer);
  }

  @Authorized("STAFF")
  @Query(() => ChatSettings, { description: "The firm's chat settings (admins with CHAT)." })
  chatSettings(@Ctx() ctx: Context) {
    return ctx.services.chat.settings(ctx.viewer);
  }

  @Authorized("STAFF", "APP")
  @Mutation(() => MessagePayload, {
    description:
      "Sends a message. App accounts name the customer (its open chat is used, or opened: at most one open chat per customer, also under concurrent first messages); staff with CHAT name an open chat (an archived one is CONFLICT, rule CHAT_OPEN). A staff reply in a chat without operator makes its author the operator. A customer message notifies the operator, or every admin with CHAT when there is none. Retries with the same `clientMessageId` return the first message.",
  })
  sendMessage(@Arg("input", () => SendMessageInput) input: SendMessageInput, @Ctx() ctx: Context) {
    return ctx.services.chat.send(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ChatPayload, {
    description: "Staff with CHAT open a chat (the UI's \"+\") for a customer with an ACTIVE app account (CONFLICT, rule ACTIVE_APP_ACCOUNT, otherwise); an open chat is returned as it is.",
  })
  startChat(@Arg("input", () => StartChatInput) input: StartChatInput, @Ctx() ctx: Context) {
    return ctx.services.chat.start(ctx.viewer, input.customerId);
  }

  @Authorized("STAFF")
  @Mutation(() => ChatPayload, { description: "Staff with CHAT hand a chat to another operator: an active staff user with CHAT (BAD_USER_INPUT, rule CHAT_PERMISSION, otherwise)." })
  setChatOperator(@Arg("input", () => SetChatOperatorInput) input: SetChatOperatorInput, @Ctx() ctx: Context) {
    return ctx.services.chat.setOperator(ctx.viewer, input);
  }

  @Authorized("STAFF", "APP")
  @Mutation(() => ChatPayload, { description: "Marks the chat read up to a message (never back); the other side sees the read mark." })
  markChatRead(@Arg("input", () => MarkChatReadInput) input: MarkChatReadInput, @Ctx() ctx: Context) {
    return ctx.services.chat.markRead(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ChatPayload, {
    description:
      "Staff with CHAT archive a chat: the customer no longer sees it, and a later customer message opens a new one. Unless switched off (here or by the firm's setting), a transcript PDF is stored as a document of category \"Chat-Transkript\" at the customer, optionally filed at one of its contracts or claims.",
  })
  archiveChat(@Arg("input", () => ArchiveChatInput) input: ArchiveChatInput, @Ctx() ctx: Context) {
    return ctx.services.chat.archive(ctx.viewer, input);
  }

  @Authorized("STAFF")
  @Mutation(() => ChatSettings, { description: "Admins with CHAT set whether archiving stores a transcript by default." })
  updateChatSettings(@Arg("input", () => ChatSettingsInput) input: ChatSettingsInput, @Ctx() ctx: Context) {
    return ctx.services.chat.settings(ctx.viewer, input);
  }

  @Authorized("APP")
  @Mutation(() => MessagePayload, { description: "The customer asks about an offer: a message in the customer's chat that refers to the offer." })
  askAboutOffer(@Arg("input", () => AskAboutOfferInput) input: AskAboutOfferInput, @Ctx() ctx: Context) {
    return ctx.services.flows.offers.ask(ctx.viewer, input);
  }

  @Authorized("APP")
  @Mutation(() => MessagePayload, { description: "The customer requests an offer (with or without one to refer to): a message in the customer's chat." })
  requestOffer(@Arg("input", () => RequestOfferInput) input: RequestOfferInput, @Ctx() ctx: Context) {
    return ctx.services.flows.offers.request(ctx.viewer, input);
  }

  @Authorized("STAFF", "APP")
  @Subscription(() => MessageEvent, {
    description:
      "New messages, in real time, to the customer's app and every staff client with CHAT; resumable with `after:`. Access is checked per event: an archived chat, a revoked household grant or a removed CHAT permission stops them at once.",
    subscribe: ({ args, context }) => (context as Context).services.chat.subscribeMessages((context as Context).viewer, args.after as string | undefined),
  })
  messageAdded(
    @Root() event: LiveEvent<Message>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): MessageEvent {
    return { cursor: event.cursor, message: adopt(ctx, event) };
  }

  @Authorized("STAFF", "APP")
  @Subscription(() => ChatEvent, {
    description: "Chats as they change for the other side: read marks, the operator, archiving. Resumable with `after:`.",
    subscribe: ({ args, context }) => (context as Context).services.chat.subscribeChats((context as Context).viewer, args.after as string | undefined),
  })
  chatChanged(
    @Root() event: LiveEvent<Chat>,
    @Ctx() ctx: Context,
    @Arg("after", () => String, { nullable: true, description: "The cursor of the last event received; what came after it is sent first." }) _after?: string,
  ): ChatEvent {
    return { cursor: event.cursor, chat: adopt(ctx, event) };
  }

  @FieldResolver(() => Customer, { description: "The customer, and through it the customer's contracts, risks, claims and documents." })
  customer(@Root() c: Chat, @Ctx() ctx: Context): Customer | Promise<Customer> {
    // From the inbox's page when it came with it: no promise per chat (issue 14).
    return c.loaded?.customer ?? ctx.loaders.customer.load(c.customerId).then((found) => found!);
  }

  @FieldResolver(() => StaffCard, { nullable: true, description: "The operator (the staff user in charge); null until the first staff reply when nobody could be chosen." })
  operator(@Root() c: Chat, @Ctx() ctx: Context): Promise<StaffCard | null> | null {
    return c.operatorStaffId ? ctx.loaders.staffCard.load(c.operatorStaffId) : null;
  }

  @FieldResolver(() => Message, { nullable: true, description: "The newest message." })
  lastMessage(@Root() c: Chat, @Ctx() ctx: Context): Message | null | Promise<Message | null> {
    return c.loaded?.lastMessage !== undefined ? c.loaded.lastMessage : ctx.loaders.lastMessage.load(c.dbId);
  }

  // Per staff user: subscriptions selecting it are executed per viewer, not per access scope (shared-execution.ts).
  @Extensions({ perViewer: true })
  @FieldResolver(() => Int, { description: "The other side's messages the viewer has not read (for staff: per staff user)." })
  unreadCount(@Root() c: Chat, @Ctx() ctx: Context): number | Promise<number> {
    return c.loaded?.unreadCount ?? ctx.loaders.unreadCount.load(c.dbId);
  }

  @FieldResolver(() => MessageConnection, { description: "The history, newest first: pass `endCursor` as `after` to load older messages." })
  messages(@Root() c: Chat, @Args(() => MessagesArgs) args: MessagesArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    // The authors' cards come with the page when its nodes select them: one statement for both.
    const authors = selectedNodeFields(info).has("author") ? { primeAuthor: (card: StaffCard) => void ctx.loaders.staffCard.prime(card.dbId, card) } : undefined;
    return ctx.services.chat.messages(ctx.viewer, c, args, authors);
  }

  @FieldResolver(() => Document, { nullable: true, description: "The transcript stored when the chat was archived (staff)." })
  transcript(@Root() c: Chat, @Ctx() ctx: Context): Promise<Document | null> | null {
    return c.transcriptDocumentId ? ctx.loaders.document.load(c.transcriptDocumentId) : null;
  }
}

@Resolver(() => Message)
export class MessageResolver {
  @FieldResolver(() => StaffCard, { nullable: true, description: "The staff author (as a public card); null for the customer's messages." })
  author(@Root() m: Message, @Ctx() ctx: Context): StaffCard | Promise<StaffCard | null> | null {
    if (m.authorLoaded !== undefined) return m.authorLoaded;
    return m.authorStaffId ? ctx.loaders.staffCard.load(m.authorStaffId) : null;
  }

  @FieldResolver(() => Contract, { nullable: true, description: "The offer or contract an offer action refers to (if the viewer may see it)." })
  contract(@Root() m: Message, @Ctx() ctx: Context): Promise<Contract | null> | null {
    return m.contractId ? ctx.loaders.contract.load(m.contractId) : null;
  }

  @FieldResolver(() => [Document], { description: "Attachments: documents of the customer (download through their `downloadUrl`)." })
  async attachments(@Root() m: Message, @Ctx() ctx: Context): Promise<Document[]> {
    const ids = await ctx.loaders.attachmentIds.load(m.dbId);
    const docs = await ctx.loaders.document.loadMany(ids);
    return docs.filter((d): d is Document => d instanceof Document);
  }

  @FieldResolver(() => Boolean, { description: "Whether the other side has read this message (the \"read\" tick on the viewer's own messages)." })
  async readByOtherSide(@Root() m: Message, @Ctx() ctx: Context): Promise<boolean> {
    const upTo = await ctx.loaders.otherSideReadUpTo.load(m.chatId);
    return upTo !== null && upTo >= m.dbId;
  }

  @FieldResolver(() => Chat, { nullable: true })
  chat(@Root() m: Message, @Ctx() ctx: Context): Promise<Chat | null> {
    return ctx.loaders.chat.load(m.chatId);
  }
}

@Resolver(() => AppOverview)
export class OverviewChatResolver {
  @FieldResolver(() => Int, { description: "Messages from the office the customer has not read (`chats`)." })
  unreadMessageCount(@Root() overview: AppOverview, @Ctx() ctx: Context): Promise<number> | number {
    // Computed with the overview in its one statement (ContractService.addOverviewFigure).
    return overview.figures?.get("unreadMessageCount") ?? ctx.services.chat.unreadTotal(ctx.viewer);
  }
}
