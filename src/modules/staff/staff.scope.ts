import { firmScope } from "../../auth/policy.js";
import { staffUsers } from "./staff.table.js";

/** Staff users of the viewer's firm (app accounts see only their public card, through StaffCard). */
export const staffScope = firmScope(staffUsers.tenantId);
