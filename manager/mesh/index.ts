export { computeEndpointList, type EndpointSources } from './endpoint-list.js';
export { MeshPublisher, type MeshPublisherOptions } from './publisher.js';
export { TaskEndpoints, type TaskEndpoint } from './task-endpoints.js';
