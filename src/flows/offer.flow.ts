import type { Viewer } from "../auth/viewer.js";
import { decodeId } from "../graphql/relay.js";
import { badInput } from "../errors.js";
import type { EventLog } from "../realtime/event-log.js";
import type { ContractService } from "../modules/contract/contract.service.js";
import type { ChatService } from "../modules/chat/chat.service.js";
import type { CustomerService } from "../modules/customer/customer.service.js";
import { chatPolicy } from "../modules/chat/chat.policy.js";
import { MessageKind } from "../modules/chat/chat.enums.js";
import { Chat, Message } from "../modules/chat/chat.types.js";
import { Contract } from "../modules/contract/contract.types.js";
import { LINE_OF_BUSINESS_LABELS, type LineOfBusiness } from "../modules/contract/contract.enums.js";

/**
 * Rule E5: the customer accepts an offer, asks about it, or requests one. Each becomes a message in the
 * customer's open chat (opened if needed) that refers to the contract where there is one, and staff are
 * notified as in F3 (the operator, else every admin with CHAT). It spans the contract and chat modules, so it
 * lives here: both modules' internal APIs run in one transaction, and neither service depends on the other.
 */
export class OfferFlow {
  constructor(
    private readonly events: EventLog,
    private readonly contracts: ContractService,
    private readonly chats: ChatService,
    private readonly customers: CustomerService,
  ) {}

  async accept(viewer: Viewer, input: { contractId: string }) {
    const app = chatPolicy.authorize(viewer, "answerOffer");
    const id = decodeId(input.contractId, "Contract", "input.contractId");
    return this.events.transact(async (tx, emit) => {
      const { contract, insurer } = await this.contracts.acceptIn(tx, emit, app, id);
      const chat = await this.chats.openChat(tx, app.tenantId, contract.customerId);
      await this.chats.post(tx, emit, app, chat, {
        kind: MessageKind.OFFER_ACCEPTED,
        body: `Ich nehme das Angebot an: ${insurer.name}, ${contract.contractNumber}.`,
        contractId: contract.id,
      });
      return { contract: Contract.from(contract) };
    });
  }

  async ask(viewer: Viewer, input: { contractId: string; body: string }) {
    const app = chatPolicy.authorize(viewer, "answerOffer");
    const id = decodeId(input.contractId, "Contract", "input.contractId");
    const body = input.body.trim();
    // A question of blanks only would post an empty card: refused like an empty one.
    if (!body) throw badInput([{ field: "input.body", rule: "REQUIRED", message: "write the question" }]);
    return this.events.transact(async (tx, emit) => {
      const { contract } = await this.contracts.requireOffer(tx, app, id);
      const chat = await this.chats.openChat(tx, app.tenantId, contract.customerId);
      const posted = await this.chats.post(tx, emit, app, chat, { kind: MessageKind.OFFER_QUESTION, body, contractId: contract.id });
      return { message: Message.from(posted.message), chat: Chat.from(posted.chat), replayed: false };
    });
  }

  async request(viewer: Viewer, input: { customerId: string; body: string; lineOfBusiness?: LineOfBusiness | null }) {
    const app = chatPolicy.authorize(viewer, "answerOffer");
    const customerId = decodeId(input.customerId, "Customer", "input.customerId");
    const text = input.body.trim();
    if (!text) throw badInput([{ field: "input.body", rule: "REQUIRED", message: "say what the offer is for" }]);
    const body = input.lineOfBusiness ? `${LINE_OF_BUSINESS_LABELS[input.lineOfBusiness]}: ${text}` : text;
    return this.events.transact(async (tx, emit) => {
      const customer = await this.customers.require(tx, app, customerId);
      const chat = await this.chats.openChat(tx, app.tenantId, customerId);
      const posted = await this.chats.post(tx, emit, app, chat, { kind: MessageKind.OFFER_REQUEST, body, customer });
      return { message: Message.from(posted.message), chat: Chat.from(posted.chat), replayed: false };
    });
  }
}
