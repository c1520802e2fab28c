/** The heat and power policy at work in the manager: inputs from the store, decisions carried out. */
export { failoverAlert } from './failover.js';
export { PolicyActions, type PolicyActionsOptions } from './actions.js';
export { PolicyInputs, type PolicyInputsOptions } from './inputs.js';
