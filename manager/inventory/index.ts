export { CLEAN_SHUTDOWN, Inventory, type InventoryOptions } from './inventory.js';
export { constraintSubject, nodeLabels, schedulableNode, type PlacedTask } from './node-view.js';
