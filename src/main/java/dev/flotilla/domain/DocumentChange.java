package dev.flotilla.domain;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** OneFlow's chown, chgrp, chmod and rename of a service or a service template (api.md §5.5, §6.6). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "perform")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DocumentChange.Chown.class, name = "chown"),
        @JsonSubTypes.Type(value = DocumentChange.Chmod.class, name = "chmod"),
        @JsonSubTypes.Type(value = DocumentChange.Rename.class, name = "rename"),
})
public sealed interface DocumentChange {

    /** A new owner and/or group; -1 keeps the current one (chgrp is a chown with uid -1). */
    record Chown(int uid, int gid) implements DocumentChange {
    }

    /** The 9 permission bits as OpenNebula keeps them (0640 = 416). */
    record Chmod(int permissions) implements DocumentChange {
        public Chmod {
            if (permissions < 0 || permissions > 0777) {
                throw new ValidationException("octet", "Invalid octet permissions");
            }
        }
    }

    record Rename(String name) implements DocumentChange {
        public Rename {
            TemplateValidator.checkName(name, "name");
        }
    }
}
