/**
 * The triggers: SIGHUP restarts; SIGTERM and SIGINT stop gracefully (unless stopOnTerm=false).
 * Handlers only ask the upgrader; the work happens on graceful's own threads. If a signal cannot
 * be handled, the app runs as without graceful and one line says what is unavailable.
 */
package graceful.agent.signal;
