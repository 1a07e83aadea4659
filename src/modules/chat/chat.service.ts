import { and, asc, count, desc, eq, gt, ilike, inArray, isNull, or, sql, type SQL } from "drizzle-orm";
import { uuidv7 } from "uuidv7";
import type { Deps } from "../../deps.js";
import { CompiledQueries, asIs, placeholder, shapeKey, type Bind } from "../../db/compiled.js";
import type { Queryable, Tx } from "../../db/client.js";
import type { AppViewer, SessionViewer, StaffViewer, Viewer } from "../../auth/viewer.js";
import { AppError, ErrorCode, Problems, badInput, notFound } from "../../errors.js";
import { afterCursorPlaceholders, orderBy, pageValues, toConnection, uuidKey, type SortKey, countRows } from "../../graphql/connection.js";
import { decodeId } from "../../graphql/relay.js";
import { likeContains } from "../../graphql/search.js";
import { eventCursor, type Emit, type EventLog } from "../../realtime/event-log.js";
import type { FileService } from "../../files/file.service.js";
import { DuplicateRequest, type Idempotency, type IdempotentRequest } from "../../idempotency/idempotency.js";
import type { CustomerService } from "../customer/customer.service.js";
import type { DocumentService } from "../document/document.service.js";
import type { NotificationService } from "../notification/notification.service.js";
import type { ContractService } from "../contract/contract.service.js";
import type { ClaimService } from "../claim/claim.service.js";
import { admins, amongStaff, customerResponsible } from "../notification/recipients.js";
import { chatMessageText } from "../../mail/notification-texts.js";
import { customers } from "../customer/customer.table.js";
import { Customer } from "../customer/customer.types.js";
import { customerPolicy } from "../customer/customer.policy.js";
import { StaffCard } from "../staff/staff.types.js";
import { staffPolicy } from "../staff/staff.policy.js";
import { staffScope } from "../staff/staff.scope.js";
import { appAccounts } from "../account/account.table.js";
import { staffUsers } from "../staff/staff.table.js";
import { documents } from "../document/document.table.js";
import { files } from "../../files/file.table.js";
import { tenants } from "../tenant/tenant.table.js";
import { chatPolicy } from "./chat.policy.js";
import { chatScope } from "./chat.scope.js";
import { ChatOrder, ChatStatus, MessageKind } from "./chat.enums.js";
import { chatAttachments, chatMessages, chatReads, chatSettings, chats, type ChatMessageRow, type ChatRow } from "./chat.table.js";
import { Chat, MAX_ATTACHMENTS, Message, type ArchiveChatInput, type ChatsArgs, type MarkChatReadInput, type MessagesArgs, type SendMessageInput, type SetChatOperatorInput } from "./chat.types.js";
import { transcriptPdf } from "./transcript.js";

/** A new message; its audience is the customer. */
export const MESSAGE_ADDED = "chat.message";
/** A chat changed (read marks, operator, archived); its audience is the customer. */
export const CHAT_CHANGED = "chat.changed";

/** What a message is made of, for `post` (the chat's own mutations and the offer flow). */
export interface NewMessage {
  kind: MessageKind;
  body: string;
  contractId?: string | null;
  /** Documents of the customer the message carries (already filed). */
  documentIds?: string[];
  /** The chat's customer as the caller read it already (the staff's notification names them); else read here. */
  customer?: { firstName: string; lastName: string };
}

/** What `list` may fetch with its page, and where it hands it (the request's loaders). */
export interface ChatListExtras {
  customer: boolean;
  lastMessage: boolean;
  unreadCount: boolean;
  prime(chat: Chat, found: { customer?: Customer; lastMessage?: Message | null; unreadCount?: number }): void;
}

/** A message row as `json_build_object` gives it (the time as text). */
type NewestMessageJson = Omit<ChatMessageRow, "createdAt"> & { createdAt: string };

export class ChatService {
  constructor(
    private readonly deps: Deps,
    private readonly events: EventLog,
    private readonly files: FileService,
    private readonly customers: CustomerService,
    private readonly documents: DocumentService,
    private readonly notifications: NotificationService,
    private readonly contracts: ContractService,
    private readonly claims: ClaimService,
    private readonly idempotency: Idempotency,
  ) {
    this.compiled = new CompiledQueries(deps.database.db, "chat");
  }

  private readonly compiled: CompiledQueries;

  // ---- opening (rules F1, F2) -----------------------------------------------------------------------------

  /**
   * The customer's open chat, opened if there is none. Under concurrent first messages the partial unique
   * index lets one insert win; the others find its row. Rule F2: the operator is the first responsible staff
   * user with CHAT, or nobody until the first staff reply.
   */
  async openChat(tx: Queryable, tenantId: string, customerId: string): Promise<ChatRow> {
    const open = () => tx.select().from(chats).where(and(eq(chats.customerId, customerId), eq(chats.status, ChatStatus.OPEN)));
    const [existing] = await open();
    if (existing) return existing;
    const [operator] = await customerResponsible(tx, tenantId, [customerId], { permission: "CHAT" });
    const now = this.deps.clock.now();
    const [created] = await tx
      .insert(chats)
      .values({ tenantId, customerId, status: ChatStatus.OPEN, operatorStaffId: operator ?? null, lastActivityAt: now, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (created) return created;
    const [winner] = await open();
    return winner!;
  }

  /** Rule F1 (the UI's "+"): staff open a chat only for a customer with an ACTIVE app account. */
  async start(viewer: Viewer, customerGlobalId: string) {
    const staff = chatPolicy.authorize(viewer, "start");
    const customerId = decodeId(customerGlobalId, "Customer", "input.customerId");
    const row = await this.events.transact(async (tx, emit) => {
      await this.customers.require(tx, staff, customerId);
      const [account] = await tx
        .select({ id: appAccounts.id })
        .from(appAccounts)
        .where(and(eq(appAccounts.customerId, customerId), eq(appAccounts.status, "ACTIVE")));
      if (!account) {
        throw new AppError(ErrorCode.CONFLICT, "The customer has no active app login to chat with", {
          fields: [{ field: "input.customerId", rule: "ACTIVE_APP_ACCOUNT", message: "has no active app account" }],
        });
      }
      const chat = await this.openChat(tx, staff.tenantId, customerId);
      await this.announce(emit, CHAT_CHANGED, chat);
      return chat;
    });
    return { chat: Chat.from(row) };
  }

  // ---- messages -------------------------------------------------------------------------------------------

  /**
   * Sends a message. App accounts write for a customer they may access (its open chat is used or opened);
   * staff with CHAT write in an open chat, and the first staff reply of a chat without operator makes its
   * author the operator (rule F2). Attachments become documents of the customer, visible in the app.
   * A retry with the same `clientMessageId` returns the first message.
   */
  async send(viewer: Viewer, input: SendMessageInput) {
    const session = chatPolicy.authorize(viewer, "send");
    const body = input.body.trim();
    const problems = new Problems();
    if (!body && input.attachmentFileIds.length === 0) problems.add("input.body", "REQUIRED", "write something or attach a file");
    if (session.kind === "app" && !input.customerId) problems.add("input.customerId", "REQUIRED", "name the customer the message is for");
    if (session.kind === "staff" && !input.chatId) problems.add("input.chatId", "REQUIRED", "name the chat");
    if (input.attachmentFileIds.length > MAX_ATTACHMENTS) problems.add("input.attachmentFileIds", "LENGTH", `at most ${MAX_ATTACHMENTS} attachments`);
    const fileIds = input.attachmentFileIds.map((g, i) => decodeId(g, "File", `input.attachmentFileIds.${i}`));
    if (new Set(fileIds).size !== fileIds.length) problems.add("input.attachmentFileIds", "UNIQUE", "names a file twice");
    problems.throwIfAny();
    const chatId = session.kind === "staff" ? decodeId(input.chatId!, "Chat", "input.chatId") : null;
    const customerId = session.kind === "app" ? decodeId(input.customerId!, "Customer", "input.customerId") : null;
    const idem: IdempotentRequest = {
      tenantId: session.tenantId,
      principalId: session.kind === "staff" ? session.userId : session.accountId,
      operation: "sendMessage",
      key: input.clientMessageId,
      input: { chatId, customerId, body, fileIds },
      field: "input.clientMessageId",
    };
    try {
      return await this.events.transact(async (tx, emit) => {
        const id = uuidv7();
        // No replay check before the transaction (unlike reportClaim, nothing costly comes first): the claim is its
        // first statement, and a retry finds the first message there. One statement less for every first send.
        const first = await this.idempotency.claim(tx, idem, id);
        if (first) throw new DuplicateRequest(first);
        let chat: ChatRow;
        let customer: NewMessage["customer"];
        if (session.kind === "app") {
          customer = await this.customers.require(tx, session, customerId!);
          chat = await this.openChat(tx, session.tenantId, customerId!);
        } else {
          chat = await this.requireOpen(tx, session, chatId!, "input.chatId");
        }
        const documentIds: string[] = [];
        for (const [i, g] of input.attachmentFileIds.entries()) {
          const file = await this.files.attach(tx, session, g, "DOCUMENT", `input.attachmentFileIds.${i}`);
          const doc = await this.documents.createDocument(tx, {
            tenantId: session.tenantId,
            customerId: chat.customerId,
            category: { key: "CORRESPONDENCE" },
            title: file.fileName,
            file,
            visibleToCustomer: true,
            uploadedBy: session.kind === "staff" ? { staffUserId: session.userId } : { appAccountId: session.accountId },
          });
          documentIds.push(doc.id);
        }
        const { message, chat: updated } = await this.post(tx, emit, session, chat, { kind: MessageKind.TEXT, body, documentIds, customer }, id);
        return { message: Message.from(message), chat: Chat.from(updated), replayed: false };
      });
    } catch (err) {
      if (err instanceof DuplicateRequest) return this.replayed(err.resultId);
      throw err;
    }
  }

  private async replayed(messageId: string) {
    const { db } = this.deps.database;
    const [row] = await db.select({ m: chatMessages, c: chats }).from(chatMessages).innerJoin(chats, eq(chats.id, chatMessages.chatId)).where(eq(chatMessages.id, messageId));
    if (!row) throw notFound("Message");
    return { message: Message.from(row.m), chat: Chat.from(row.c), replayed: true };
  }

  /**
   * Internal API: puts a message in an open chat inside the caller's transaction (the chat's own mutations
   * and the offer flow). Rule F2: a staff reply in a chat without operator makes its author the operator.
   * Rule F3: a customer message notifies the operator only, with none every admin with CHAT; staff without
   * CHAT are never notified. The author has read up to their own message.
   */
  async post(tx: Tx, emit: Emit, author: SessionViewer, chat: ChatRow, m: NewMessage, id: string = uuidv7()): Promise<{ message: ChatMessageRow; chat: ChatRow }> {
    const now = this.deps.clock.now();
    const fromCustomer = author.kind === "app";
    const newMessage = tx
      .insert(chatMessages)
      .values({
        id,
        tenantId: chat.tenantId,
        chatId: chat.id,
        kind: m.kind,
        body: m.body,
        authorStaffId: author.kind === "staff" ? author.userId : null,
        authorAccountId: author.kind === "app" ? author.accountId : null,
        fromCustomer,
        contractId: m.contractId ?? null,
        createdAt: now,
      })
      .returning();
    const set: Partial<typeof chats.$inferInsert> = { lastActivityAt: now };
    if (author.kind === "staff" && !chat.operatorStaffId) set.operatorStaffId = author.userId;
    // The message, the chat's activity (and operator) and the author's read mark in one statement (issue 14): each
    // is a data-modifying CTE, run once and to completion whether or not the outer select reads it.
    const inserted = tx.$with("inserted_message").as(newMessage);
    const touched = tx.$with("touched_chat").as(tx.update(chats).set(set).where(eq(chats.id, chat.id)).returning());
    const marked = tx.$with("marked_read").as(this.markReadQuery(tx, chat, author, id));
    const [row] = await tx.with(inserted, touched, marked).select().from(inserted).crossJoin(touched);
    const { inserted_message: message, touched_chat: updated } = row!;
    for (const [position, documentId] of (m.documentIds ?? []).entries()) {
      await tx.insert(chatAttachments).values({ tenantId: chat.tenantId, messageId: id, documentId, position: String(position) });
    }
    if (fromCustomer) {
      const operator = chat.operatorStaffId ? await amongStaff(tx, chat.tenantId, [chat.operatorStaffId], { permission: "CHAT" }) : [];
      const recipients = operator.length ? operator : await admins(tx, chat.tenantId, { permission: "CHAT" });
      // One statement less per customer message: the sender read the customer already (issue 14).
      const customer = m.customer ?? (await tx.select().from(customers).where(eq(customers.id, chat.customerId)))[0];
      await this.notifications.notify(tx, emit, {
        tenantId: chat.tenantId,
        staffUserIds: recipients,
        // Rule E5: an offer action is an offer response (the title says which), any other message a chat message.
        kind: m.kind === MessageKind.TEXT ? "CHAT_MESSAGE" : "OFFER_RESPONSE",
        ...chatMessageText({ customerName: `${customer!.firstName} ${customer!.lastName}`, body: m.body, kind: m.kind }),
        subject: { type: "Chat", id: chat.id },
      });
    }
    await emit({ tenantId: chat.tenantId, topic: MESSAGE_ADDED, entityId: id, audienceId: chat.customerId });
    if (set.operatorStaffId) await this.announce(emit, CHAT_CHANGED, updated!);
    return { message: message!, chat: updated! };
  }

  /** An open chat the viewer may see, locked for the change; NOT_FOUND, or CONFLICT for an archived one. */
  private async requireOpen(tx: Queryable, viewer: SessionViewer, id: string, field: string): Promise<ChatRow> {
    const [row] = await tx.select().from(chats).where(and(eq(chats.id, id), chatScope(viewer))).for("update");
    if (!row) throw notFound("Chat");
    if (row.status !== ChatStatus.OPEN) {
      throw new AppError(ErrorCode.CONFLICT, "This chat is archived", { fields: [{ field, rule: "CHAT_OPEN", message: "is archived; write in the customer's open chat" }] });
    }
    return row;
  }

  // ---- operator (rule F2) ---------------------------------------------------------------------------------

  async setOperator(viewer: Viewer, input: SetChatOperatorInput) {
    const staff = chatPolicy.authorize(viewer, "setOperator");
    const chatId = decodeId(input.chatId, "Chat", "input.chatId");
    const staffUserId = decodeId(input.staffUserId, "StaffUser", "input.staffUserId");
    const row = await this.events.transact(async (tx, emit) => {
      const chat = await this.requireOpen(tx, staff, chatId, "input.chatId");
      const [user] = await tx.select().from(staffUsers).where(and(eq(staffUsers.id, staffUserId), eq(staffUsers.tenantId, staff.tenantId)));
      if (!user) throw notFound("Staff user");
      if (user.status !== "ACTIVE" || !user.permissions.includes("CHAT")) {
        throw badInput([{ field: "input.staffUserId", rule: "CHAT_PERMISSION", message: "must be an active staff user with the CHAT permission" }]);
      }
      const [updated] = await tx.update(chats).set({ operatorStaffId: staffUserId }).where(eq(chats.id, chat.id)).returning();
      await this.announce(emit, CHAT_CHANGED, updated!);
      return updated!;
    });
    return { chat: Chat.from(row) };
  }

  // ---- read marks (rule F8) -------------------------------------------------------------------------------

  async markRead(viewer: Viewer, input: MarkChatReadInput) {
    const session = chatPolicy.authorize(viewer, "markRead");
    const chatId = decodeId(input.chatId, "Chat", "input.chatId");
    const messageId = decodeId(input.upToMessageId, "Message", "input.upToMessageId");
    const row = await this.events.transact(async (tx, emit) => {
      const [chat] = await tx.select().from(chats).where(and(eq(chats.id, chatId), chatScope(session)));
      if (!chat) throw notFound("Chat");
      const [message] = await tx.select({ id: chatMessages.id }).from(chatMessages).where(and(eq(chatMessages.id, messageId), eq(chatMessages.chatId, chatId)));
      if (!message) throw notFound("Message");
      if (await this.markReadIn(tx, chat, session, messageId)) await this.announce(emit, CHAT_CHANGED, chat);
      return chat;
    });
    return { chat: Chat.from(row) };
  }

  /** Moves a reader's mark forward (never back); true when it moved. */
  private async markReadIn(tx: Queryable, chat: ChatRow, reader: SessionViewer, messageId: string): Promise<boolean> {
    const rows = await this.markReadQuery(tx, chat, reader, messageId);
    return rows.length > 0;
  }

  /** The statement of `markReadIn` (a message's post runs it with the message's own). */
  private markReadQuery(tx: Queryable, chat: ChatRow, reader: SessionViewer, messageId: string) {
    const readerId = reader.kind === "staff" ? reader.userId : chat.customerId;
    return tx
      .insert(chatReads)
      .values({ tenantId: chat.tenantId, chatId: chat.id, readerId, fromCustomer: reader.kind === "app", upToMessageId: messageId, readAt: this.deps.clock.now() })
      .onConflictDoUpdate({
        target: [chatReads.chatId, chatReads.readerId],
        set: { upToMessageId: messageId, readAt: this.deps.clock.now() },
        setWhere: sql`${chatReads.upToMessageId} < ${messageId}`,
      })
      .returning({ chatId: chatReads.chatId });
  }

  // ---- archive (rule F5) ----------------------------------------------------------------------------------

  async archive(viewer: Viewer, input: ArchiveChatInput) {
    const staff = chatPolicy.authorize(viewer, "archive");
    const chatId = decodeId(input.chatId, "Chat", "input.chatId");
    const contractId = input.contractId ? decodeId(input.contractId, "Contract", "input.contractId") : null;
    const claimId = input.claimId ? decodeId(input.claimId, "Claim", "input.claimId") : null;
    const { db } = this.deps.database;
    const [current] = await db.select().from(chats).where(and(eq(chats.id, chatId), chatScope(staff)));
    if (!current) throw notFound("Chat");
    if (current.status !== ChatStatus.OPEN) throw new AppError(ErrorCode.CONFLICT, "This chat is archived already", { fields: [{ field: "input.chatId", rule: "CHAT_OPEN", message: "is archived already" }] });
    if (contractId && (await this.contracts.require(db, staff, contractId)).customerId !== current.customerId) {
      throw badInput([{ field: "input.contractId", rule: "SAME_CUSTOMER", message: "is a contract of another customer" }]);
    }
    if (claimId && (await this.claims.require(db, staff, claimId)).customerId !== current.customerId) {
      throw badInput([{ field: "input.claimId", rule: "SAME_CUSTOMER", message: "is a claim of another customer" }]);
    }
    const [settings] = await db.select().from(chatSettings).where(eq(chatSettings.tenantId, staff.tenantId));
    const store = input.storeTranscript ?? settings?.storeTranscriptByDefault ?? true;
    const now = this.deps.clock.now();
    const file = store ? await this.files.storeGenerated({ tenantId: staff.tenantId, purpose: "DOCUMENT", fileName: await this.transcriptName(current, now), bytes: await this.transcript(current, now), createdByStaffId: staff.userId }) : null;
    const row = await this.events.transact(async (tx, emit) => {
      const [archived] = await tx
        .update(chats)
        .set({ status: ChatStatus.ARCHIVED, archivedAt: now, archivedByStaffId: staff.userId })
        .where(and(eq(chats.id, chatId), eq(chats.status, ChatStatus.OPEN)))
        .returning();
      if (!archived) throw new AppError(ErrorCode.CONFLICT, "This chat is archived already", { fields: [{ field: "input.chatId", rule: "CHAT_OPEN", message: "is archived already" }] });
      let result = archived;
      if (file) {
        const doc = await this.documents.createDocument(tx, {
          tenantId: staff.tenantId,
          customerId: archived.customerId,
          category: { key: "CHAT_TRANSCRIPT" },
          title: file.fileName.replace(/\.pdf$/, ""),
          file: await this.files.attachGenerated(tx, file),
          visibleToCustomer: false,
          uploadedBy: { staffUserId: staff.userId },
          contractId,
          claimId,
        });
        const [withTranscript] = await tx.update(chats).set({ transcriptDocumentId: doc.id }).where(eq(chats.id, chatId)).returning();
        result = withTranscript!;
      }
      await this.announce(emit, CHAT_CHANGED, result!);
      return result!;
    });
    return { chat: Chat.from(row) };
  }

  private async transcriptName(chat: ChatRow, at: Date): Promise<string> {
    const [c] = await this.deps.database.db.select().from(customers).where(eq(customers.id, chat.customerId));
    return `Chat-Transkript ${c!.firstName} ${c!.lastName} ${at.toISOString().slice(0, 10)}.pdf`;
  }

  /** The transcript PDF: every message with author, German local time and attachment names. */
  async transcript(chat: ChatRow, archivedAt: Date): Promise<Buffer> {
    const { db } = this.deps.database;
    const [head] = await db.select({ c: customers, t: tenants }).from(customers).innerJoin(tenants, eq(tenants.id, customers.tenantId)).where(eq(customers.id, chat.customerId));
    const rows = await db
      .select({ m: chatMessages, staffName: staffUsers.name })
      .from(chatMessages)
      .leftJoin(staffUsers, eq(staffUsers.id, chatMessages.authorStaffId))
      .where(eq(chatMessages.chatId, chat.id))
      .orderBy(asc(chatMessages.id));
    const attachments = rows.length
      ? await db
          .select({ messageId: chatAttachments.messageId, name: files.fileName })
          .from(chatAttachments)
          .innerJoin(documents, eq(documents.id, chatAttachments.documentId))
          .innerJoin(files, eq(files.id, documents.fileId))
          .where(inArray(chatAttachments.messageId, rows.map((r) => r.m.id)))
          .orderBy(asc(chatAttachments.position))
      : [];
    const customerName = `${head!.c.firstName} ${head!.c.lastName}`;
    return transcriptPdf({
      firm: head!.t.profileName ?? head!.t.name,
      customer: customerName,
      openedAt: chat.createdAt,
      archivedAt,
      messages: rows.map((r) => ({
        at: r.m.createdAt,
        author: r.m.fromCustomer ? customerName : (r.staffName ?? "Mitarbeiter/in"),
        body: r.m.body,
        attachments: attachments.filter((a) => a.messageId === r.m.id).map((a) => a.name),
      })),
    });
  }

  async settings(viewer: Viewer, input?: { storeTranscriptByDefault: boolean }) {
    const admin = chatPolicy.authorize(viewer, "manageSettings");
    const { db } = this.deps.database;
    if (input) {
      await db
        .insert(chatSettings)
        .values({ tenantId: admin.tenantId, storeTranscriptByDefault: input.storeTranscriptByDefault })
        .onConflictDoUpdate({ target: chatSettings.tenantId, set: { storeTranscriptByDefault: input.storeTranscriptByDefault } });
    }
    const [row] = await db.select().from(chatSettings).where(eq(chatSettings.tenantId, admin.tenantId));
    return { storeTranscriptByDefault: row?.storeTranscriptByDefault ?? true };
  }

  // ---- reads (rules F6, F7, F8) ---------------------------------------------------------------------------

  /**
   * Rule F6: the staff inbox (open or archived, all or the viewer's own, by last activity, by customer name); the app's open chats.
   * With `extras`, the page's customers, newest messages and the viewer's unread counts come in the same statement
   * and are handed to `extras.prime` (the caller's loaders): the inbox is one query instead of four (issue 14).
   */
  async list(viewer: Viewer, args: ChatsArgs, extras?: ChatListExtras) {
    const session = chatPolicy.authorize(viewer, "list");
    const { db } = this.deps.database;
    const staffOnly = session.kind === "staff";
    const term = staffOnly ? args.search?.trim() : undefined;
    const filter: ChatFilter = {
      status: staffOnly ? (args.status ?? ChatStatus.OPEN) : undefined,
      mine: staffOnly && Boolean(args.mine),
      term: term ? likeContains(term) : undefined,
    };
    const direction = args.orderBy === ChatOrder.LAST_ACTIVITY_OLDEST ? "asc" : "desc";
    const keys: SortKey[] = [
      { column: chats.lastActivityAt, direction, decode: (v) => new Date(String(v)) },
      { column: chats.id, direction, decode: uuidKey },
    ];
    const withCustomer = Boolean(extras?.customer && customerPolicy.can(session, "read"));
    const withLast = Boolean(extras?.lastMessage);
    const withUnread = Boolean(extras?.unreadCount);
    // A compiled read (db/compiled.ts): its shape is what it brings along, the order, the cursor and the filters set.
    const shape = shapeKey("list", {
      direction,
      after: Boolean(args.after),
      withCustomer,
      withLast,
      withUnread,
      status: filter.status !== undefined,
      mine: filter.mine,
      term: filter.term !== undefined,
    });
    const values = { ...pageValues(keys, args), status: filter.status, term: filter.term };
    const rows = await this.compiled.run(shape, session, (db, v) => {
      const query = db
        .select({
          c: chats,
          ...(withCustomer ? { cu: customers } : {}),
          ...(withLast ? { last: this.newestMessageJson() } : {}),
          ...(withUnread ? { unread: this.unreadExpr(v).mapWith(Number) } : {}),
        })
        .from(chats);
      return (withCustomer ? query.innerJoin(customers, eq(customers.id, chats.customerId)) : query)
        .where(and(chatFilter(db, v, filter, placeholder), args.after ? afterCursorPlaceholders(keys) : undefined))
        .orderBy(...orderBy(keys))
        .limit(sql.placeholder("limit"));
    }, values);
    const connection = toConnection(rows, args, (r) => [r.c.lastActivityAt.toISOString(), r.c.id], (r) => Chat.from(r.c), () =>
      countRows(db, chats, chatFilter(db, session, filter, asIs))(),
    );
    for (const [i, chat] of extras ? connection.nodes.entries() : []) {
      const row = rows[i] as (typeof rows)[number] & { cu?: typeof customers.$inferSelect; last?: NewestMessageJson | null; unread?: number };
      chat.loaded = {
        ...(withCustomer && row.cu ? { customer: Customer.from(row.cu) } : {}),
        ...(withLast ? { lastMessage: row.last ? Message.from({ ...row.last, createdAt: new Date(row.last.createdAt) }) : null } : {}),
        ...(withUnread ? { unreadCount: row.unread ?? 0 } : {}),
      };
      extras!.prime(chat, chat.loaded);
    }
    return connection;
  }

  /** A chat's newest message as one JSON value, by the (chat_id, id) index: the inbox's `lastMessage`, in the list's own statement. */
  private newestMessageJson() {
    return sql<NewestMessageJson | null>`(select json_build_object('id', m.id, 'tenantId', m.tenant_id, 'chatId', m.chat_id, 'kind', m.kind, 'body', m.body,
      'authorStaffId', m.author_staff_id, 'authorAccountId', m.author_account_id, 'fromCustomer', m.from_customer, 'contractId', m.contract_id,
      'createdAt', m.created_at) from ${chatMessages} m where m.chat_id = "chats"."id" order by m.id desc limit 1)`;
  }

  async findMany(viewer: Viewer, ids: readonly string[]): Promise<Chat[]> {
    if (!chatPolicy.can(viewer, "list")) return [];
    const rows = await this.deps.database.db.select().from(chats).where(and(inArray(chats.id, [...ids]), chatScope(viewer)));
    return rows.map(Chat.from);
  }

  async findMessages(viewer: Viewer, ids: readonly string[]): Promise<Message[]> {
    if (!chatPolicy.can(viewer, "list")) return [];
    const rows = await this.deps.database.db
      .select({ m: chatMessages })
      .from(chatMessages)
      .innerJoin(chats, eq(chats.id, chatMessages.chatId))
      .where(and(inArray(chatMessages.id, [...ids]), chatScope(viewer)));
    return rows.map((r) => Message.from(r.m));
  }

  /**
   * A chat's messages, newest first: the history pages backwards (pass `endCursor` as `after` for older ones).
   * With `authors`, the staff authors' cards come in the same statement and go to `primeAuthor` (issue 14).
   */
  async messages(viewer: Viewer, chat: Chat, args: MessagesArgs, authors?: { primeAuthor: (card: StaffCard) => void }) {
    const { db } = this.deps.database;
    const keys: SortKey[] = [{ column: chatMessages.id, direction: "desc", decode: uuidKey }];
    const scope = eq(chatMessages.chatId, chat.dbId);
    // The cards as the staff module gives them: of the viewer's firm, to whoever may read cards.
    const withAuthors = Boolean(authors && staffPolicy.can(viewer, "readCard"));
    const session = chatPolicy.authorize(viewer, "list");
    const values = { ...pageValues(keys, args), chatId: chat.dbId };
    const rows = await this.compiled.run(shapeKey("messages", { withAuthors, after: Boolean(args.after) }), session, (db, v) => {
      const query = db
        .select({ m: chatMessages, ...(withAuthors ? { author: { id: staffUsers.id, name: staffUsers.name, status: staffUsers.status } } : {}) })
        .from(chatMessages);
      return (withAuthors ? query.leftJoin(staffUsers, and(eq(staffUsers.id, chatMessages.authorStaffId), staffScope(v))) : query)
        .where(and(eq(chatMessages.chatId, sql.placeholder("chatId")), args.after ? afterCursorPlaceholders(keys) : undefined))
        .orderBy(...orderBy(keys))
        .limit(sql.placeholder("limit"));
    }, values);
    const toMessage = (r: (typeof rows)[number]) => {
      const message = Message.from(r.m);
      const author = (r as typeof r & { author?: { id: string | null; name: string | null; status: string | null } }).author;
      if (!withAuthors || !message.authorStaffId) return message;
      // A card outside the viewer's scope (none: every author is of the firm) is left to the loader, which says null.
      if (author?.id) authors!.primeAuthor((message.authorLoaded = StaffCard.from({ id: author.id, name: author.name!, status: author.status! })));
      return message;
    };
    return toConnection(rows, args, (r) => [r.m.id], toMessage, countRows(db, chatMessages, scope));
  }

  /** The newest message of each chat (the inbox shows it): one query for a page of chats. */
  async lastMessages(viewer: Viewer, chatIds: readonly string[]): Promise<Message[]> {
    if (!chatPolicy.can(viewer, "list") || chatIds.length === 0) return [];
    const { db } = this.deps.database;
    // Each chat's newest message id by the (chat_id, id) index, one row per chat: DISTINCT ON would read and sort
    // every message of the page's chats (issue 14: the inbox's largest cost in PostgreSQL).
    const ids = sql.join(
      chatIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    const newest = sql`(select (select m.id from ${chatMessages} m where m.chat_id = c.id order by m.id desc limit 1) from ${chats} c where c.id in (${ids}))`;
    const rows = await db.select().from(chatMessages).where(sql`${chatMessages.id} in ${newest}`);
    return rows.map(Message.from);
  }

  /** Rule F8: the viewer's unread messages per chat (the other side's messages after the viewer's read mark). */
  async unreadCounts(viewer: Viewer, chatIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>(chatIds.map((id) => [id, 0]));
    if (!chatPolicy.can(viewer, "list") || chatIds.length === 0 || (viewer.kind !== "staff" && viewer.kind !== "app")) return found;
    const { db } = this.deps.database;
    // Per chat, the other side's messages after the viewer's read mark, counted on the (chat_id, id) index from
    // that mark on: only the unread messages are read (issue 14), not every message of the page's chats.
    // Qualified by hand: drizzle leaves a single-table query's columns unqualified, and inside the subqueries
    // a bare "id" would be the message's.
    const rows = await db
      .select({ chatId: chats.id, n: this.unreadExpr(viewer).mapWith(Number) })
      .from(chats)
      .where(and(inArray(chats.id, [...chatIds]), chatScope(viewer)));
    for (const r of rows) found.set(r.chatId, r.n);
    return found;
  }

  /** Rule F8 per chat row of a query on `chats`: the other side's messages after the viewer's read mark. */
  private unreadExpr(viewer: StaffViewer | AppViewer) {
    const chatId = sql.raw(`"chats"."id"`);
    const reader = viewer.kind === "staff" ? sql`${viewer.userId}::uuid` : sql.raw(`"chats"."customer_id"`);
    const mark = sql`(select r.up_to_message_id from ${chatReads} r where r.chat_id = ${chatId} and r.reader_id = ${reader})`;
    return sql<number>`(select count(*) from ${chatMessages} m where m.chat_id = ${chatId} and m.from_customer = ${viewer.kind === "staff"} and m.id > coalesce(${mark}, '00000000-0000-0000-0000-000000000000'::uuid))`;
  }

  /** Rule F8: unread messages in total (staff: of the chats the viewer operates, or every open chat with none; app: its open chats). */
  async unreadTotal(viewer: Viewer): Promise<number> {
    if (!chatPolicy.can(viewer, "list") || (viewer.kind !== "staff" && viewer.kind !== "app")) return 0;
    const [row] = await this.unreadTotalQuery(viewer);
    return row!.n;
  }

  /** The query of `unreadTotal` for a viewer who may list chats; also a subquery of the app's overview. */
  unreadTotalQuery(viewer: StaffViewer | AppViewer) {
    return this.deps.database.db
      .select({ n: count() })
      .from(chatMessages)
      .innerJoin(chats, eq(chats.id, chatMessages.chatId))
      .leftJoin(chatReads, and(eq(chatReads.chatId, chatMessages.chatId), this.readerOf(viewer)))
      .where(
        and(
          chatScope(viewer),
          eq(chats.status, ChatStatus.OPEN),
          eq(chatMessages.fromCustomer, viewer.kind === "staff"),
          or(isNull(chatReads.upToMessageId), gt(chatMessages.id, chatReads.upToMessageId)),
        ),
      );
  }

  /** How far the other side has read each chat (the newest of its marks): the "read" tick on the viewer's own messages. */
  async otherSideReadUpTo(viewer: Viewer, chatIds: readonly string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>(chatIds.map((id) => [id, null]));
    if (!chatPolicy.can(viewer, "list") || chatIds.length === 0) return found;
    const rows = await this.deps.database.db
      .select({ chatId: chatReads.chatId, upTo: sql<string>`max(${chatReads.upToMessageId}::text)` })
      .from(chatReads)
      .innerJoin(chats, eq(chats.id, chatReads.chatId))
      .where(and(inArray(chatReads.chatId, [...chatIds]), chatScope(viewer), eq(chatReads.fromCustomer, viewer.kind === "staff")))
      .groupBy(chatReads.chatId);
    for (const r of rows) found.set(r.chatId, r.upTo);
    return found;
  }

  /** The attachments (documents the viewer may see) of messages. */
  async attachmentIds(viewer: Viewer, messageIds: readonly string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>(messageIds.map((id) => [id, []]));
    if (!chatPolicy.can(viewer, "list") || messageIds.length === 0) return found;
    const rows = await this.deps.database.db
      .select({ messageId: chatAttachments.messageId, documentId: chatAttachments.documentId })
      .from(chatAttachments)
      .where(inArray(chatAttachments.messageId, [...messageIds]))
      .orderBy(asc(chatAttachments.position));
    for (const r of rows) found.get(r.messageId)?.push(r.documentId);
    return found;
  }

  private readerOf(viewer: StaffViewer | AppViewer): SQL {
    return viewer.kind === "staff" ? eq(chatReads.readerId, viewer.userId) : eq(chatReads.readerId, chats.customerId);
  }

  // ---- live (rule F9) -------------------------------------------------------------------------------------

  /** New messages for the customer's app and every staff client with CHAT, resumable; access re-checked per event. */
  subscribeMessages(viewer: Viewer, after: string | null | undefined) {
    const session = chatPolicy.authorize(viewer, "follow");
    return this.events.watch<Message>({
      viewer: session,
      topic: MESSAGE_ADDED,
      after,
      audience: (v) => (v.kind === "app" ? v.customerIds : v.permissions.has("CHAT") ? "firm" : null),
      load: async (v, rows) => {
        const found = await this.deps.database.db
          .select({ m: chatMessages })
          .from(chatMessages)
          .innerJoin(chats, eq(chats.id, chatMessages.chatId))
          .where(and(inArray(chatMessages.id, rows.map((r) => r.entityId)), chatScope(v)));
        const byId = new Map(found.map((r) => [r.m.id, r.m]));
        return rows.flatMap((r) => {
          const m = byId.get(r.entityId);
          return m ? [{ cursor: eventCursor(r.id), value: Message.from(m) }] : [];
        });
      },
    });
  }

  /** Read marks, operator changes and archiving, for the other side; resumable; access re-checked per event. */
  subscribeChats(viewer: Viewer, after: string | null | undefined) {
    const session = chatPolicy.authorize(viewer, "follow");
    return this.events.watch<Chat>({
      viewer: session,
      topic: CHAT_CHANGED,
      after,
      audience: (v) => (v.kind === "app" ? v.customerIds : v.permissions.has("CHAT") ? "firm" : null),
      load: async (v, rows) => {
        // The app hears of its chat being archived too: then the chat is gone from its scope, so load it by the firm.
        const found = await this.deps.database.db
          .select()
          .from(chats)
          .where(and(inArray(chats.id, [...new Set(rows.map((r) => r.entityId))]), v.kind === "app" ? eq(chats.tenantId, v.tenantId) : chatScope(v)));
        const byId = new Map(found.map((c) => [c.id, c]));
        return rows.flatMap((r) => {
          const c = byId.get(r.entityId);
          const allowed = c && (v.kind === "staff" || (v.kind === "app" && v.customerIds.has(c.customerId)));
          return allowed ? [{ cursor: eventCursor(r.id), value: Chat.from(c) }] : [];
        });
      },
    });
  }

  private announce(emit: Emit, topic: string, chat: ChatRow): Promise<void> {
    return emit({ tenantId: chat.tenantId, topic, entityId: chat.id, audienceId: chat.customerId });
  }
}

/** The filters of the chat list (staff only; undefined or false: not set). */
interface ChatFilter {
  status?: ChatStatus;
  mine: boolean;
  term?: string;
}

/** The chats the viewer may see that match the filter; its values bound by `bind`. */
function chatFilter(db: Queryable, viewer: SessionViewer, f: ChatFilter, bind: Bind): SQL {
  return and(
    chatScope(viewer),
    f.status !== undefined ? eq(chats.status, bind("status", f.status)) : undefined,
    f.mine && viewer.kind === "staff" ? eq(chats.operatorStaffId, viewer.userId) : undefined,
    f.term !== undefined
      ? inArray(
          chats.customerId,
          db
            .select({ id: customers.id })
            .from(customers)
            .where(and(eq(customers.tenantId, viewer.tenantId), ilike(sql`${customers.firstName} || ' ' || ${customers.lastName}`, bind("term", f.term)))),
        )
      : undefined,
  )!;
}
