export { Dispatcher, type DispatcherOptions, type RetainedPublisher } from './dispatcher.js';
export { desiredSetMessage, desiredTasks, digestOf, newIncarnation, removedSetMessage, type ThrottleOf } from './desired-set.js';
export { applyTaskStatus, type StatusPatch } from './task-status.js';
