/** `deploy.resources`: CPU and memory limits and reservations, and GPU reservations. */
import type { ServiceSpec } from '../service-spec.js';
import type { Field } from './field.js';
import { readDeviceGpus, readGenericResourceGpus } from './gpus.js';
import { readCpus, readMemoryBytes } from './read.js';
import { readSection } from './section.js';

type Resources = ServiceSpec['resources'];

export function readResources(field: Field, resources: Resources): void {
  readSection(field, {
    limits: (f) => readLimits(f, resources.limits),
    reservations: (f) => readReservations(f, resources.reservations),
  });
}

function readLimits(field: Field, limits: Resources['limits']): void {
  readSection(
    field,
    {
      cpus: (f) => (limits.cpus = readCpus(f, 'positive') ?? null),
      memory: (f) => (limits.memoryBytes = readMemoryBytes(f, 'positive') ?? null),
    },
    ['pids'],
  );
}

function readReservations(field: Field, reservations: Resources['reservations']): void {
  const addGpus = (n: number | null): void => {
    if (n !== null) reservations.gpus = (reservations.gpus ?? 0) + n;
  };
  readSection(field, {
    cpus: (f) => (reservations.cpus = readCpus(f, 'non-negative') ?? null),
    memory: (f) => (reservations.memoryBytes = readMemoryBytes(f, 'non-negative') ?? null),
    generic_resources: (f) => addGpus(readGenericResourceGpus(f)),
    devices: (f) => addGpus(readDeviceGpus(f)),
  });
}
