/**
 * graceful's entry point inside the isolated class loader. The protocol, in order:
 * inherit, track, upgrade, ready, drain, exit; each stage is a package of its own.
 *
 * <p>Rule: fail open. {@link graceful.agent.Agent#start} never throws; anything that goes wrong
 * costs one log line and leaves the app running as it would without graceful.
 */
package graceful.agent;
