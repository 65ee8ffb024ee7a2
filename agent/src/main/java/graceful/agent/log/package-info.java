/**
 * graceful's log lines: one line per protocol step, on stderr, through tinylog configured in code
 * so that the app's own tinylog configuration (if any) is never read. Quiet while serving.
 * tinylog is started only at the first line, keeping its cost off the normal startup path.
 */
package graceful.agent.log;
