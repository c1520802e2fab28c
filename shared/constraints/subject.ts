/**
 * What a constraint is evaluated against: the manager's view of one node. The scheduler builds
 * it from inventory (labels already merged: manager-set labels over agent-reported ones).
 */
export interface ConstraintSubject {
  id: string;
  hostname: string;
  /**
   * Set when another node already holds this hostname (the id of that node): the name is not this
   * node's, so every `node.hostname` constraint fails on it, `==` and `!=` alike. Absent: no conflict.
   */
  hostnameConflict?: string | null;
  role: 'manager' | 'worker';
  platform: { os: string; arch: string };
  /** `node.labels.*` */
  labels: Record<string, string>;
  /** `engine.labels.*` (labels the agent reports with --label) */
  engineLabels: Record<string, string>;
  /** `node.hw.device`: the /dev paths the node reports; absent = none (fails `==`, satisfies `!=`). */
  devices?: readonly string[];
  /** `node.hw.*` numeric facts */
  hw: {
    cpuCores: number;
    memoryBytes: number;
    gpuCount: number;
    /** Largest GPU memory among the node's GPUs, bytes; 0 when no GPU. */
    gpuMemoryBytes: number;
    /**
     * Warmest ambient sensor fitted to the board (C), a live reading: null when the board has none,
     * so `node.hw.ambient` fails there (fail closed). Absent (undefined) where the subject is built
     * to judge tasks already running: an ambient constraint picks where new tasks go, it does not
     * move running ones on every drift of a room's temperature (the heat policy's ambient limits do that).
     */
    ambientC?: number | null;
  };
}
