import type { Deps } from "./deps.js";
import { SessionService } from "./modules/session/session.service.js";
import { StaffService } from "./modules/staff/staff.service.js";
import { TenantService } from "./modules/tenant/tenant.service.js";
import { NotificationService } from "./modules/notification/notification.service.js";
import { EventLog } from "./realtime/event-log.js";
import { Outbox } from "./mail/outbox.js";
import { CustomerService } from "./modules/customer/customer.service.js";
import { InvitationService } from "./modules/account/invitation.service.js";
import { AccountAdminService } from "./modules/account/administration.service.js";
import { HouseholdService } from "./modules/account/household.service.js";
import { CredentialsService } from "./modules/account/credentials.service.js";
import { FileService } from "./files/file.service.js";
import { DocumentService } from "./modules/document/document.service.js";
import { filePurposes } from "./modules/index.js";
import { ReleaseFlow } from "./flows/release.flow.js";
import { ContractService } from "./modules/contract/contract.service.js";
import { ClaimService } from "./modules/claim/claim.service.js";
import { ChatService } from "./modules/chat/chat.service.js";
import { OfferFlow } from "./flows/offer.flow.js";
import { Idempotency } from "./idempotency/idempotency.js";

/** Every service, built once per process over the same dependencies. */
export class Services {
  readonly session: SessionService;
  readonly staff: StaffService;
  readonly tenant: TenantService;
  readonly events: EventLog;
  readonly outbox: Outbox;
  readonly notification: NotificationService;
  readonly customer: CustomerService;
  /** App accounts, by concern: inviting customers, administering logins, household grants, setting passwords (app and staff). */
  readonly invitation: InvitationService;
  readonly accountAdmin: AccountAdminService;
  readonly household: HouseholdService;
  readonly credentials: CredentialsService;
  readonly file: FileService;
  readonly document: DocumentService;
  readonly contract: ContractService;
  readonly claim: ClaimService;
  readonly chat: ChatService;
  readonly idempotency: Idempotency;
  readonly flows: { release: ReleaseFlow; offers: OfferFlow };

  constructor(readonly deps: Deps) {
    this.events = new EventLog(deps);
    this.outbox = new Outbox(deps, deps.mailer);
    this.session = new SessionService(deps);
    this.events.useViewerReloader((ids) => this.session.reloadMany(ids));
    this.file = new FileService(deps, this.session, filePurposes());
    this.notification = new NotificationService(deps, this.events, this.outbox);
    this.staff = new StaffService(deps, this.session, this.outbox);
    this.tenant = new TenantService(deps, this.staff, this.file);
    this.customer = new CustomerService(deps);
    this.document = new DocumentService(deps, this.file, this.events, this.notification, this.customer);
    // Flows span modules: built after the module services they call, handed to the services that start them.
    this.contract = new ContractService(deps, this.events, this.file, this.customer, this.document, this.notification, this.tenant);
    this.document.useContracts(this.contract);
    this.idempotency = new Idempotency(deps.clock);
    this.claim = new ClaimService(deps, this.events, this.file, this.customer, this.contract, this.notification, this.idempotency);
    this.document.useClaims(this.claim);
    this.chat = new ChatService(deps, this.events, this.file, this.customer, this.document, this.notification, this.contract, this.claim, this.idempotency);
    // Flows span modules: built after the module services they call, handed to the services that start them.
    // The app's overview reads its figures in one statement: claims and chats contribute theirs as subqueries.
    this.contract.addOverviewFigure("openClaimCount", (v) => this.claim.openCountQuery(v).getSQL());
    this.contract.addOverviewFigure("unreadMessageCount", (v) => this.chat.unreadTotalQuery(v).getSQL());
    this.flows = { release: new ReleaseFlow(this.document, this.contract), offers: new OfferFlow(this.events, this.contract, this.chat, this.customer) };
    this.invitation = new InvitationService(deps, this.outbox, this.flows.release);
    this.accountAdmin = new AccountAdminService(deps, this.session, this.outbox);
    this.household = new HouseholdService(deps, this.events);
    this.credentials = new CredentialsService(deps, this.session, this.outbox);
  }
}
