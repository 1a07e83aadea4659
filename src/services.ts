import type { Deps } from "./deps.js";
import { SessionService } from "./modules/session/session.service.js";
import { StaffService } from "./modules/staff/staff.service.js";
import { TenantService } from "./modules/tenant/tenant.service.js";
import { NotificationService } from "./modules/notification/notification.service.js";
import { EventLog } from "./realtime/event-log.js";
import { Outbox } from "./mail/outbox.js";
import { CustomerService } from "./modules/customer/customer.service.js";
import { AccountService } from "./modules/account/account.service.js";
import { FileService } from "./files/file.service.js";
import { DocumentService } from "./modules/document/document.service.js";

/** Every service, built once per process over the same dependencies. */
export class Services {
  readonly session: SessionService;
  readonly staff: StaffService;
  readonly tenant: TenantService;
  readonly events: EventLog;
  readonly outbox: Outbox;
  readonly notification: NotificationService;
  readonly customer: CustomerService;
  readonly account: AccountService;
  readonly file: FileService;
  readonly document: DocumentService;

  constructor(readonly deps: Deps) {
    this.events = new EventLog(deps);
    this.outbox = new Outbox(deps, deps.mailer);
    this.session = new SessionService(deps);
    this.file = new FileService(deps, this.session);
    this.notification = new NotificationService(deps, this.events, this.outbox, this.session);
    this.staff = new StaffService(deps, this.session, this.outbox);
    this.tenant = new TenantService(deps, this.staff, this.file);
    this.customer = new CustomerService(deps);
    this.account = new AccountService(deps, this.session, this.outbox, this.events);
    this.document = new DocumentService(deps, this.file, this.events, this.notification, this.customer);
  }
}
