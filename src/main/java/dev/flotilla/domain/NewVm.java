package dev.flotilla.domain;

/** A VM row the plan adds to a role before the driver is asked to create it (on hold or not). */
public record NewVm(String roleName, int vmNumber, String name, String requestKey, boolean hold) {
}
