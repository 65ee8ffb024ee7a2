/**
 * The restart trigger: SIGHUP. The handler only asks the upgrader; the work happens on
 * graceful's own thread. If the signal cannot be handled, the app runs as without graceful and
 * one line says why restarts are unavailable.
 */
package graceful.agent.signal;
