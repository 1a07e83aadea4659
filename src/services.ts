import type { Deps } from "./deps.js";
import { SessionService } from "./modules/session/session.service.js";
import { StaffService } from "./modules/staff/staff.service.js";
import { TenantService } from "./modules/tenant/tenant.service.js";

/** Every service, built once per process over the same dependencies. */
export class Services {
  readonly session: SessionService;
  readonly staff: StaffService;
  readonly tenant: TenantService;

  constructor(readonly deps: Deps) {
    this.session = new SessionService(deps);
    this.staff = new StaffService(deps, this.session);
    this.tenant = new TenantService(deps, this.staff);
  }
}
