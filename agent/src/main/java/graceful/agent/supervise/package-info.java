/**
 * What graceful tells whoever supervises the process, at the protocol's turning points: systemd
 * (sd_notify: READY, RELOADING, MAINPID, STOPPING), a pidfile, and the status MBean.
 *
 * <p>Rules: a supervisor hears of a JVM only once it serves (the first JVM once its listeners are
 * bound, a new one once it is ready), so the pid it knows is always one that accepts, and it
 * hears the new pid before the old JVM can exit. Telling it never delays serving (native calls
 * run on graceful's own thread; only the old JVM's drain waits, up to 2 s, for the new pid to
 * go out) and never fails the app: a supervisor that cannot be told costs one log line.
 */
package graceful.agent.supervise;
