/** The Docker task driver: containers through the Engine API on the local unix socket. */
export { DockerExecutor, type DockerExecutorOptions } from './executor.js';
export { LABEL_MANAGED, LABEL_NODE_ID, LABEL_SERVICE_ID, LABEL_SERVICE_NAME, LABEL_TASK_ID } from './container-spec.js';
