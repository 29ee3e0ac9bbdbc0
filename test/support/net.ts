/** A free TCP port on loopback (for a child process that must be told its port); shared with the topology runner. */
export { freePort } from '../../tools/topology/net.ts';
