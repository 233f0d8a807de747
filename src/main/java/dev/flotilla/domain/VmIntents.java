package dev.flotilla.domain;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** VM rows a plan records before any driver call: rows to add; rows to terminate, forget, retire, release, resume. */
public record VmIntents(
        List<NewVm> newVms,
        Map<Long, Boolean> terminateRows,
        Set<Long> forgetRows,
        Set<Long> retireRows,
        Set<Long> releaseRows,
        Set<Long> resumeRows) {

    /** True when no VM row is added or changed. */
    public boolean isEmpty() {
        return newVms.isEmpty() && terminateRows.isEmpty() && forgetRows.isEmpty() && retireRows.isEmpty()
                && releaseRows.isEmpty() && resumeRows.isEmpty();
    }
}
