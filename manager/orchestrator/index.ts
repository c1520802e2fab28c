export { Orchestrator, type EvacuationResult, type OrchestratorOptions, type StuckTask, type TaskMove } from './orchestrator.js';
export { reconcileServices, storedConstraints, TASK_HISTORY_LIMIT, type PassContext } from './reconcile.js';
export { placePendingTasks, type PlacementRound } from './placement.js';
export { decideRestart, type RestartDecision } from './restart-policy.js';
export { buildTaskSpec, isOutdated, newObjectId, newTask, reservationsOf } from './task-factory.js';
