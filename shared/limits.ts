/**
 * Every bound on what a client may ask of the manager, in one place, each with its reason. The
 * service spec (API bodies, `kelvin service create`, stack files) and node updates check them, so a
 * request over a limit is one 400 naming the field, never an accepted change that exhausts the
 * manager or a board. See also MAX_DESIRED_SET_BYTES and MAX_PAYLOAD_BYTES in wire.ts.
 */

/**
 * Desired tasks in the whole cluster: replicas of every replicated service plus, for each global
 * service, one per known node. One SQLite manager creates, places and lists 100,000 tasks in
 * seconds; a billion once filled its memory and disk and crash-looped it.
 */
export const MAX_CLUSTER_TASKS = 100_000;

/** Labels of a service or a node: each is copied into every task and matched by constraints. */
export const MAX_LABELS = 100;
/** Docker's label keys are reverse-DNS names; 128 characters is ample. */
export const MAX_LABEL_KEY_CHARS = 128;
/** Values are tags and short notes, not documents. */
export const MAX_LABEL_VALUE_CHARS = 1024;

/** Placement constraints of one service: each is evaluated against every node on every placement. */
export const MAX_CONSTRAINTS = 64;
/** One constraint is `node.labels.<key> == <value>`: key plus value plus operator. */
export const MAX_CONSTRAINT_CHARS = MAX_LABEL_KEY_CHARS + MAX_LABEL_VALUE_CHARS + 32;
/** Spread preferences nest one level per entry; Swarm setups use one or two. */
export const MAX_PREFERENCES = 8;

/** Environment variables of one service. */
export const MAX_ENV_VARS = 1000;
/** One `KEY=value` entry in UTF-8 bytes (Linux itself caps one at 128 KiB). */
export const MAX_ENV_ENTRY_BYTES = 32 * 1024;
/** The whole environment in UTF-8 bytes: it travels in every task of the node's desired set. */
export const MAX_ENV_BYTES = 64 * 1024;

/** Entries of `command` or `entrypoint` (argv). */
export const MAX_ARGS = 1000;
/** All of one argv in UTF-8 bytes, as the environment. */
export const MAX_ARGV_BYTES = 64 * 1024;

/** Image references, working directories and other single strings (PATH_MAX is 4096). */
export const MAX_STRING_CHARS = 4096;

/**
 * One task as it travels in its node's desired set (JSON-escaped, so the fields above can grow up
 * to six-fold): a quarter of MAX_DESIRED_SET_BYTES, so a node holds at least four of the largest.
 */
export const MAX_TASK_SPEC_BYTES = 256 * 1024;

/**
 * Published ports of one service: each one is a listener on every board (ingress) and an entry in
 * every task. Ranges (`8000-8100:8000-8100`) expand to one entry per port.
 */
export const MAX_PUBLISHED_PORTS = 64;
