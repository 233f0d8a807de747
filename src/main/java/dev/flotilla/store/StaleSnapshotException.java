package dev.flotilla.store;

/**
 * Another writer changed the service after the snapshot was read; re-read and plan again. Thrown
 * by every write guarded by the service's {@code version}: a committed plan ({@link PlanWriter})
 * and a claimed change that is not a plan ({@link ServiceRepository#claimVersion}).
 */
public final class StaleSnapshotException extends RuntimeException {
    public StaleSnapshotException(int serviceId) {
        super("service " + serviceId + " changed while planning", null, false, false);
    }
}
