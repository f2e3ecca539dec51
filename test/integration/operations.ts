/**
 * The simulated tenant's provider writes, by the operation name its log
 * records (everything it logs that is not a read, admin.* or system.*). A
 * module of its own so that the child script imports nothing else.
 */
import { WRITE_OPERATIONS as CONTRACT_WRITES } from "../../lib/provider/provider.js";

export const WRITE_OPERATIONS: ReadonlySet<string> = new Set(CONTRACT_WRITES);
