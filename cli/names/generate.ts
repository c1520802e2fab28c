/**
 * A name for a service created without `--name`, the way docker names one: `adjective_surname`
 * of a scientist or engineer (a short list in docker's spirit, not its list).
 */
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'admiring', 'bold', 'brave', 'calm', 'clever', 'cool', 'eager', 'elated', 'epic', 'focused', 'gallant', 'gentle',
  'happy', 'hopeful', 'jolly', 'keen', 'kind', 'lucid', 'modest', 'nifty', 'patient', 'quirky', 'serene', 'sharp',
  'steady', 'sweet', 'tender', 'trusting', 'upbeat', 'vibrant', 'wizardly', 'zealous',
];

const SURNAMES = [
  'babbage', 'bardeen', 'carnot', 'clausius', 'curie', 'dirac', 'easley', 'faraday', 'fermi', 'franklin', 'gibbs',
  'hamilton', 'hopper', 'hypatia', 'joule', 'kelvin', 'lamarr', 'lovelace', 'maxwell', 'meitner', 'noether', 'ohm',
  'pascal', 'planck', 'rankine', 'shannon', 'tesla', 'turing', 'volta', 'watt', 'wu', 'yalow',
];

export function generateServiceName(pick: (n: number) => number = randomInt): string {
  return `${ADJECTIVES[pick(ADJECTIVES.length)]}_${SURNAMES[pick(SURNAMES.length)]}`;
}
