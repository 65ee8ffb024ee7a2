/**
 * inherit: in a JVM started by a restarting graceful parent, a bind to an address and port the
 * parent listened on takes over the parent's listening socket instead of binding; once every
 * inherited listener is taken, the parent is told the new JVM is ready.
 *
 * <p>Rule: the handover data is untrusted. A variable that does not parse, a parent pid that is
 * not this JVM's parent, an fd that is not the very listening socket the parent named: each is
 * rejected with a line saying exactly what, and such an fd is never used.
 */
package graceful.agent.inherit;
