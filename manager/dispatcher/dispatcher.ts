/**
 * Delivers desired state and takes task status back; decides nothing. Each node's whole desired
 * set is published retained with QoS 1 whenever its content changes, under a generation that only
 * grows (persisted, and kept when the content is unchanged, so a manager restart republishes the
 * same set under the same generation and no agent restarts anything). A set over the wire's size
 * limit (which the scheduler prevents) is cut to the oldest tasks that fit, logged and recorded as
 * an event: the node keeps getting its removals and fencing rather than freezing on its last set.
 * A changed set whose new generation cannot be stored (full data disk) is not sent, since a
 * generation the manager forgets would go backwards after a restart; it is sent once the disk
 * takes writes again.
 * Every set also carries this manager start's incarnation, so agents follow a manager whose
 * database was restored from an older backup (lower generations) instead of ignoring it. A node
 * whose credential was revoked gets a last retained set marked `removed`; any other removed node's
 * retained set is cleared.
 */
import { isTerminal, type TaskStatus } from '../../shared/payloads/tasks.js';
import type { Logger } from '../../shared/logger.js';
import { encode, MAX_DESIRED_SET_BYTES } from '../../shared/wire.js';
import { nodeTopic } from '../../shared/topics.js';
import type { NodeMessage } from '../broker/inbound.js';
import type { ManagerMetrics } from '../metrics.js';
import type { Clock } from '../options.js';
import type { Change } from '../store/records.js';
import { DataDiskFullError, logWriteFailure } from '../store/disk-full.js';
import type { Store } from '../store/store.js';
import { desiredSetMessage, desiredTasks, digestOf, fitDesiredSet, newIncarnation, removedSetMessage, type ThrottleOf } from './desired-set.js';
import { applyTaskStatus, learnedImagePlatforms } from './task-status.js';
import { hostsLookup } from '../mesh/service-names.js';

/** Distinct ignored reports logged once each; past this many the memory starts over. */
const MAX_IGNORED_REMEMBERED = 10_000;

/** Publishes one retained QoS 1 message; an empty payload clears the retained message. */
export type RetainedPublisher = (topic: string, payload: Buffer) => Promise<void>;

export interface DispatcherOptions {
  store: Store;
  publish: RetainedPublisher;
  clock: Clock;
  logger: Logger;
  /** The heat policy's CPU cap per task (TaskSpec `throttle`); without it every task runs unthrottled. */
  throttleOf?: ThrottleOf;
  /** Counts task-status reports refused because the task is another node's. */
  metrics?: Pick<ManagerMetrics, 'rejectedPayload'>;
  /** This manager start's incarnation (default: a fresh one). */
  incarnation?: string;
}

export class Dispatcher {
  readonly incarnation: string;
  private readonly ignoredLogged = new Set<string>();
  /** Nodes already reported as having applied a later set than this database knows. */
  private readonly behindLogged = new Set<string>();
  /** Nodes whose set is over the size limit now: reported once until it fits again. */
  private readonly oversized = new Set<string>();
  /** Nodes whose changed set waits for the data disk to take its new generation. */
  private readonly unsaved = new Set<string>();
  private readonly onDiskWritable = (): void => {
    const nodes = [...this.unsaved];
    this.unsaved.clear();
    for (const nodeId of nodes) this.refresh(nodeId);
  };
  private readonly onChange = (changes: Change[]): void => {
    const touched = new Set<string>();
    const created = new Set<string>();
    for (const c of changes) {
      if (c.kind === 'task') {
        if (c.before?.nodeId) touched.add(c.before.nodeId);
        if (c.after?.nodeId) touched.add(c.after.nodeId);
      } else if (c.kind === 'node' && c.op === 'create') created.add(c.id);
      else if (c.kind === 'node' && c.op === 'delete') this.sendRemoval(c.id);
    }
    // A (re)joined node has no retained set yet: it always gets one, even if the content is unchanged.
    for (const nodeId of created) this.sync(nodeId, true);
    for (const nodeId of touched) if (!created.has(nodeId) && this.o.store.getNode(nodeId)) this.sync(nodeId, false);
  };

  constructor(private readonly o: DispatcherOptions) {
    this.incarnation = o.incarnation ?? newIncarnation();
  }

  /** Publishes every node's set (after a manager start or a reconnect to the broker). */
  start(): void {
    this.o.store.on('change', this.onChange);
    this.o.store.on('diskWritable', this.onDiskWritable);
    this.republishAll();
  }

  stop(): void {
    this.o.store.off('change', this.onChange);
    this.o.store.off('diskWritable', this.onDiskWritable);
  }

  republishAll(): void {
    for (const node of this.o.store.listNodes()) this.sync(node.id, true);
  }

  /** Re-sends the node's set if its content changed outside the store (the heat policy's throttle). */
  refresh(nodeId: string): void {
    if (this.o.store.getNode(nodeId)) this.sync(nodeId, false);
  }

  handle(msg: NodeMessage): void {
    if (msg.kind !== 'task-status') return;
    this.noteIncarnation(msg.nodeId, msg.payload);
    const { store } = this.o;
    const task = store.getTask(msg.payload.taskId);
    const result = applyTaskStatus(task, msg.nodeId, msg.payload, this.o.clock.now());
    if ('ignored' in result) {
      if (result.foreign) this.o.metrics?.rejectedPayload('task-status', 'identity');
      const key = `${msg.nodeId}|${msg.payload.taskId}`;
      // Task ids come from the board: bound what is remembered of them.
      if (this.ignoredLogged.size >= MAX_IGNORED_REMEMBERED) this.ignoredLogged.clear();
      if (!this.ignoredLogged.has(key)) {
        this.ignoredLogged.add(key);
        this.o.logger.debug({ node: msg.nodeId }, `ignoring task status: ${result.ignored}`);
      }
      return;
    }
    store.transaction(() => {
      const learned = task && learnedImagePlatforms(task, msg.payload, (image) => store.imagePlatformsOf(image));
      if (learned) store.saveImagePlatforms(learned.image, learned.platforms);
      const updated = store.updateTask(msg.payload.taskId, result.patch);
      if (updated && isTerminal(updated.state) && updated.state !== 'complete' && updated.desiredState === 'running') {
        const detail = updated.error ?? (updated.exitCode !== null ? `exit code ${updated.exitCode}` : updated.message);
        store.addEvent('task.failed', updated.id, `task ${updated.id} of ${updated.serviceName} ${updated.state} on node ${msg.nodeId}: ${detail}`, {
          serviceId: updated.serviceId,
          nodeId: msg.nodeId,
          exitCode: updated.exitCode,
        });
      }
    });
  }

  /** Publishes the node's set if it changed (or always, with `force`), bumping the generation on change. */
  private sync(nodeId: string, force: boolean): void {
    const { store } = this.o;
    const { kept: tasks, heldBack } = fitDesiredSet(desiredTasks(store.listTasks({ nodeId }), nodeId, this.o.throttleOf, hostsLookup(() => store.listServices())));
    if (heldBack > 0) this.reportOversized(nodeId, tasks.length, heldBack);
    else this.oversized.delete(nodeId);
    const digest = digestOf(tasks);
    const saved = store.getDesiredSet(nodeId);
    let generation = saved?.generation ?? 0;
    if (!saved || saved.digest !== digest) {
      generation += 1;
      try {
        store.saveDesiredSet({ nodeId, generation, digest });
      } catch (err) {
        if (!(err instanceof DataDiskFullError)) throw err;
        this.unsaved.add(nodeId);
        logWriteFailure(this.o.logger, err, `desired set of node ${nodeId}`);
        return;
      }
    } else if (!force) {
      return;
    }
    this.send(nodeTopic(nodeId, 'tasks'), encode(desiredSetMessage(nodeId, this.incarnation, generation, tasks)));
  }

  /** A revoked node is told it was removed (retained, so it learns even after a blip); others' sets are cleared. */
  private sendRemoval(nodeId: string): void {
    const { store } = this.o;
    if (store.revocationOf(nodeId) === null) return this.send(nodeTopic(nodeId, 'tasks'), Buffer.alloc(0));
    const generation = (store.getDesiredSet(nodeId)?.generation ?? 0) + 1;
    try {
      store.saveDesiredSet({ nodeId, generation, digest: 'removed' });
    } catch (err) {
      // Sent anyway: the node is gone, and its agent must still learn it; a later manager start
      // has a new incarnation, so this generation is never compared again.
      if (!(err instanceof DataDiskFullError)) throw err;
      logWriteFailure(this.o.logger, err, `desired set of removed node ${nodeId}`);
    }
    this.send(nodeTopic(nodeId, 'tasks'), encode(removedSetMessage(nodeId, this.incarnation, generation)));
  }

  /**
   * A node that applied a later generation under an earlier incarnation than this database knows:
   * the database was restored from an older backup (or replaced). Said once per node and start;
   * the node follows this manager's set anyway, since its incarnation is new.
   */
  private noteIncarnation(nodeId: string, status: TaskStatus): void {
    if (status.incarnation === undefined || status.incarnation === this.incarnation || this.behindLogged.has(nodeId)) return;
    // Only members: a removed node still reporting in its last seconds has no set to compare with.
    if (!this.o.store.getNode(nodeId)) return;
    const known = this.o.store.getDesiredSet(nodeId)?.generation ?? 0;
    if (status.generation <= known) return;
    this.behindLogged.add(nodeId);
    const message = `node ${nodeId} had applied generation ${status.generation} of an earlier manager incarnation, but this database knows only generation ${known} (restored from an older backup?): the node is converging on this manager's desired set`;
    this.o.logger.warn({ node: nodeId, reported: status.generation, known }, message);
    this.o.store.addEvent('node.desired-set-rewound', nodeId, message, { reported: status.generation, known, incarnation: this.incarnation });
  }

  private reportOversized(nodeId: string, sent: number, heldBack: number): void {
    if (this.oversized.has(nodeId)) return;
    this.oversized.add(nodeId);
    const message = `desired set of node ${nodeId} is over the ${MAX_DESIRED_SET_BYTES}-byte limit: sent its ${sent} oldest tasks, held back the ${heldBack} newest`;
    this.o.logger.error({ node: nodeId, sent, heldBack, limit: MAX_DESIRED_SET_BYTES }, message);
    try {
      this.o.store.addEvent('node.desired-set-too-large', nodeId, message, { sent, heldBack, limit: MAX_DESIRED_SET_BYTES });
    } catch (err) {
      if (!(err instanceof DataDiskFullError)) throw err;
      logWriteFailure(this.o.logger, err, `event about node ${nodeId}`); // the set still goes out
    }
  }

  private send(topic: string, payload: Buffer): void {
    this.o.publish(topic, payload).catch((err: unknown) => {
      this.o.logger.warn({ topic, err: err instanceof Error ? err.message : String(err) }, 'publishing desired set failed; it is republished on reconnect');
    });
  }
}
