package graceful.agent.supervise;

/** The turning points of the protocol that a supervisor hears of. Every call returns at once and never throws. */
public interface Supervisor {
    /** This JVM serves: a first JVM whose listeners are bound, or a new JVM that is ready. */
    void serving(boolean tookOverFromAnotherJvm);

    /** A restart has started: a new JVM is being started. */
    void restarting();

    /**
     * A same-pid restart has started: this process will replace its own image, which ends every
     * thread, so whatever must reach the supervisor has gone out when this returns.
     */
    default void restartingInPlace() {
        restarting();
    }

    /**
     * The new JVM is ready and this one is about to drain and exit: whatever tracks the main pid
     * must hear the new one now, before this one can exit. Returns once that has gone out.
     */
    default void handingOver(long newPid) {
    }

    /** The restart rolled back: this JVM serves on, as before. */
    void restartFailed();

    /** A graceful stop has started: no new JVM, this one drains and exits. */
    void stopping();

    /** Nobody to tell. */
    Supervisor NONE = new Supervisor() {
        @Override
        public void serving(boolean tookOverFromAnotherJvm) {
        }

        @Override
        public void restarting() {
        }

        @Override
        public void restartFailed() {
        }

        @Override
        public void stopping() {
        }
    };
}
