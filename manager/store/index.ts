export { Store, type StoreEvents, type StoreOptions, type TaskFilter, type EventQuery } from './store.js';
export { MIGRATIONS, migrate } from './migrations.js';
export type * from './records.js';
export { ensureClusterIdentity, ADMIN_TOKEN_FILE } from './cluster-identity.js';
