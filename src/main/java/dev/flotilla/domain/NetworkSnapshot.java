package dev.flotilla.domain;

/**
 * One attempt at making a network for the service (a row of {@code service_networks}): the intent
 * (request key, delete asked for) next to what the cloud last said (its id, its state, a refusal).
 * {@code state} is null until observed; a retired attempt was replaced by a later one (recover) and
 * is only waited for until deleted. A {@code gone} one is no longer tracked (deleted, never made,
 * or given up); it is kept only to be shown.
 */
public record NetworkSnapshot(
        long rowId,
        String name,
        int attempt,
        NetworkSource source,
        int sourceId,
        String extra,
        String netName,
        String requestKey,
        Integer netId,
        Integer state,
        String createError,
        boolean deleteRequested,
        boolean deleteSent,
        String deleteError,
        boolean retired,
        boolean gone) {

    public boolean isReady() {
        return state != null && state == NetworkStates.READY;
    }

    /** Deleted, or not known to the cloud (a create that never happened). */
    public boolean isDone() {
        return state != null && state == NetworkStates.DONE;
    }

    public boolean isError() {
        return NetworkStates.isError(state);
    }

    /** The create was confirmed or refused; otherwise it may have to be made again. */
    public boolean createAnswered() {
        return netId != null || createError != null;
    }

    /** "Private (12)", or the name alone while the id is not known. */
    public String label() {
        return netId == null ? name : name + " (" + netId + ")";
    }
}
