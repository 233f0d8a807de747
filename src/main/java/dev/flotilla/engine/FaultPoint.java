package dev.flotilla.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test hook for crash tests: with {@code FLOTILLA_FAULT_HALT_AFTER_COMMIT=<command kind>} in
 * the environment, the process dies (as by SIGKILL: no shutdown hook, nothing flushed) right
 * after such a command's transaction committed and before its answer is sent — the moment that
 * decides whether a retry may run the command again; with
 * {@code FLOTILLA_FAULT_HALT_AFTER_NETWORK_CREATE=1}, right after the cloud made a service network
 * and before its id is recorded. Unset, they do nothing.
 */
final class FaultPoint {
    private static final Logger LOG = LoggerFactory.getLogger(FaultPoint.class);
    private static final String HALT_AFTER_COMMIT = System.getenv("FLOTILLA_FAULT_HALT_AFTER_COMMIT");
    private static final boolean HALT_AFTER_NETWORK_CREATE =
            "1".equals(System.getenv("FLOTILLA_FAULT_HALT_AFTER_NETWORK_CREATE"));

    private FaultPoint() {
    }

    static void afterCommit(String kind) {
        if (kind.equals(HALT_AFTER_COMMIT)) {
            LOG.error("FLOTILLA_FAULT_HALT_AFTER_COMMIT={}: halting after the commit, before the answer", kind);
            Runtime.getRuntime().halt(137);
        }
    }

    static void afterNetworkCreated(String requestKey) {
        if (HALT_AFTER_NETWORK_CREATE) {
            LOG.error("FLOTILLA_FAULT_HALT_AFTER_NETWORK_CREATE: halting after network {} was made, before it is "
                    + "recorded", requestKey);
            Runtime.getRuntime().halt(137);
        }
    }
}
