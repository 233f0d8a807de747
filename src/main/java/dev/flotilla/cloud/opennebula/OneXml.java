package dev.flotilla.cloud.opennebula;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The few things Flotilla reads from oned's XML documents, with the JDK's StAX. */
final class OneXml {
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    }

    private OneXml() {
    }

    /** A VM as oned describes it: ids, owner, states and its top-level template attributes. */
    record Vm(int id, String name, int uid, int gid, int state, int lcmState, Map<String, String> userTemplate,
              Map<String, String> template, Map<String, String> monitoring) {

        String requestKey() {
            return userTemplate.get(OpenNebulaDriver.REQUEST_KEY);
        }

        boolean ready() {
            return "YES".equalsIgnoreCase(userTemplate.getOrDefault("READY", "").replace("\"", "").trim());
        }
    }

    /**
     * A virtual network as oned describes it: ids, owner, state, the network it was reserved from
     * ({@code PARENT_NETWORK_ID}, -1 when none) and its top-level template attributes.
     */
    record Vnet(int id, String name, int uid, int gid, String uname, int state, int parentId,
                Map<String, String> template) {

        String requestKey() {
            return template.get(OpenNebulaDriver.REQUEST_KEY);
        }
    }

    /** A user as {@code one.user.info} describes it. */
    record User(int id, String name, int gid, String gname, List<Integer> groups) {
    }

    /** Every {@code <VM>} in a document (a VM, a VM_POOL or a hook message). */
    static List<Vm> vms(String xml) {
        List<Vm> out = new ArrayList<>();
        VmCollector collector = new VmCollector(out);
        walk(xml, collector::leaf, collector);
        return out;
    }

    /** Every {@code <VNET>} in a document (a VNET, a VNET_POOL or a hook message). */
    static List<Vnet> vnets(String xml) {
        List<Vnet> out = new ArrayList<>();
        VnetCollector collector = new VnetCollector(out);
        walk(xml, collector::leaf, collector);
        return out;
    }

    /** A hook message's {@code RESOURCE_ID} (the object whose state changed), or null. */
    static Integer hookResourceId(String xml) {
        Integer[] id = new Integer[1];
        walk(xml, (path, text) -> {
            if (path.size() == 2 && path.get(0).equals("HOOK_MESSAGE") && path.get(1).equals("RESOURCE_ID")
                    && !text.isBlank()) {
                id[0] = Integer.parseInt(text.trim());
            }
        }, null);
        return id[0];
    }

    /** {@code MONITORING} records by VM id (the last one of each VM wins). */
    static Map<Integer, Map<String, String>> monitoring(String xml) {
        Map<Integer, Map<String, String>> out = new HashMap<>();
        @SuppressWarnings("unchecked")
        Map<String, String>[] current = new Map[1];
        walk(xml, (path, text) -> {
            if (path.size() == 3 && path.get(1).equals("MONITORING") && current[0] != null) {
                current[0].put(path.get(2), text.trim());
            }
        }, new Collector() {
            public void start(List<String> path) {
                if (path.size() == 2 && path.get(1).equals("MONITORING")) {
                    current[0] = new LinkedHashMap<>();
                }
            }

            public void end(List<String> path) {
                if (path.size() == 2 && path.get(1).equals("MONITORING") && current[0] != null) {
                    String id = current[0].get("ID");
                    if (id != null) {
                        out.put(Integer.parseInt(id.trim()), current[0]);
                    }
                    current[0] = null;
                }
            }
        });
        return out;
    }

    static User user(String xml) {
        Map<String, String> fields = new HashMap<>();
        List<Integer> groups = new ArrayList<>();
        walk(xml, (path, text) -> {
            if (path.size() == 2) {
                fields.put(path.get(1), text.trim());
            } else if (path.size() == 3 && path.get(1).equals("GROUPS") && path.get(2).equals("ID")) {
                groups.add(Integer.parseInt(text.trim()));
            }
        }, null);
        return new User(Integer.parseInt(fields.get("ID")), fields.get("NAME"), Integer.parseInt(fields.get("GID")),
                fields.get("GNAME"), groups);
    }

    private interface Leaf {
        void text(List<String> path, String text);
    }

    private interface Collector {
        void start(List<String> path);

        void end(List<String> path);
    }

    /** Streams the document; every element with text only is a leaf, named by its path from the root. */
    private static void walk(String xml, Leaf leaf, Collector collector) {
        try {
            XMLStreamReader r = XML.createXMLStreamReader(new StringReader(xml));
            List<String> path = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            boolean hadChild = false;
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        path.add(r.getLocalName());
                        text.setLength(0);
                        hadChild = false;
                        if (collector != null) {
                            collector.start(path);
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> text.append(r.getText());
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (!hadChild) {
                            leaf.text(path, text.toString());
                        }
                        if (collector != null) {
                            collector.end(path);
                        }
                        path.remove(path.size() - 1);
                        text.setLength(0);
                        hadChild = true;
                    }
                    default -> {
                    }
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalArgumentException("unreadable oned XML: " + e.getMessage(), e);
        }
    }

    /** Builds a {@link Vm} for each {@code VM} element, whatever encloses it. */
    private static final class VmCollector implements Collector {
        private final List<Vm> out;
        private int depth = -1;
        private Map<String, String> fields;
        private Map<String, String> user;
        private Map<String, String> template;
        private Map<String, String> monitoring;

        VmCollector(List<Vm> out) {
            this.out = out;
        }

        @Override
        public void start(List<String> path) {
            if (depth < 0 && path.get(path.size() - 1).equals("VM")) {
                depth = path.size();
                fields = new HashMap<>();
                user = new LinkedHashMap<>();
                template = new LinkedHashMap<>();
                monitoring = new LinkedHashMap<>();
            }
        }

        @Override
        public void end(List<String> path) {
            if (depth >= 0 && path.size() == depth) {
                out.add(new Vm(num(fields.get("ID")), fields.get("NAME"), num(fields.get("UID")), num(fields.get("GID")),
                        num(fields.get("STATE")), num(fields.get("LCM_STATE")), user, template, monitoring));
                depth = -1;
            }
        }

        void leaf(List<String> path, String text) {
            if (depth < 0 || path.size() <= depth) {
                return;
            }
            if (path.size() == depth + 1) {
                fields.put(path.get(depth), text.trim());
            } else if (path.size() == depth + 2) {
                String section = path.get(depth);
                String key = path.get(depth + 1);
                switch (section) {
                    case "USER_TEMPLATE" -> user.put(key, text);
                    case "TEMPLATE" -> template.put(key, text);
                    case "MONITORING" -> monitoring.put(key, text);
                    default -> {
                    }
                }
            }
        }

        private static int num(String s) {
            return s == null || s.isBlank() ? -1 : Integer.parseInt(s.trim());
        }
    }

    /** Builds a {@link Vnet} for each {@code VNET} element, whatever encloses it. */
    private static final class VnetCollector implements Collector {
        private final List<Vnet> out;
        private int depth = -1;
        private Map<String, String> fields;
        private Map<String, String> template;

        VnetCollector(List<Vnet> out) {
            this.out = out;
        }

        @Override
        public void start(List<String> path) {
            if (depth < 0 && path.get(path.size() - 1).equals("VNET")) {
                depth = path.size();
                fields = new HashMap<>();
                template = new LinkedHashMap<>();
            }
        }

        @Override
        public void end(List<String> path) {
            if (depth >= 0 && path.size() == depth) {
                out.add(new Vnet(VmCollector.num(fields.get("ID")), fields.get("NAME"),
                        VmCollector.num(fields.get("UID")), VmCollector.num(fields.get("GID")), fields.get("UNAME"),
                        VmCollector.num(fields.get("STATE")), VmCollector.num(fields.get("PARENT_NETWORK_ID")),
                        template));
                depth = -1;
            }
        }

        void leaf(List<String> path, String text) {
            if (depth < 0 || path.size() <= depth) {
                return;
            }
            if (path.size() == depth + 1) {
                fields.put(path.get(depth), text.trim());
            } else if (path.size() == depth + 2 && path.get(depth).equals("TEMPLATE")) {
                template.put(path.get(depth + 1), text);
            }
        }
    }
}
