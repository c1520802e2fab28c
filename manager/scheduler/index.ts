/**
 * The scheduler decides *where* tasks run; the orchestrator decides how many and what, the
 * dispatcher delivers. Pure logic: no I/O, no store.
 */
export type { PlacementPolicy, PlacementRequest, Platform, Resources, SchedulableNode, ScheduleResult } from './types.js';
export type { FilterName } from './filters.js';
export { scheduleTasks, checkNode } from './schedule.js';
export { isSpreadDescriptor } from './spread.js';
