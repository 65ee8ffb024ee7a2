/**
 * graceful's log lines: one line per protocol step, on stderr, through tinylog configured in code
 * so that the app's own tinylog configuration (if any) is never read. Quiet while serving.
 * tinylog is started only at the first line, keeping its cost off the normal startup path, and
 * only what that line needs is started: Log writes the time and level itself and hands tinylog's
 * provider the finished line, since java.time's formatter and tinylog's message formatter load
 * locale data (~35 ms) on what is, in a restart, the critical path.
 */
package graceful.agent.log;
