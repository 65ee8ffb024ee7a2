/**
 * track: every listener the app binds, and every connection accepted on one of them and not
 * yet closed, so that drain knows what to close and what to wait for.
 *
 * <p>Rule: never keep a socket alive. Listeners and connections are held weakly: an app that
 * drops a socket without closing it loses it to the garbage collector exactly as without graceful.
 */
package graceful.agent.track;
