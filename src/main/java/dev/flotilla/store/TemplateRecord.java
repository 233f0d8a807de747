package dev.flotilla.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A stored service template: document metadata and its JSON body. */
public record TemplateRecord(DocumentMeta meta, ObjectNode body) {
}
